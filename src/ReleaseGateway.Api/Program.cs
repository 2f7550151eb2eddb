using ReleaseGateway.Api.ServiceDefaults;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity;
using ReleaseGateway.Releases;
using ReleaseGateway.Requests;
using ReleaseGateway.Web;

var builder = WebApplication.CreateBuilder(args);
// Before any module creates a file: the data folder holds e-mail addresses, password hashes, keys and patient data.
DataFolder.Secure(builder.Configuration.ReadEventStoreSettings().DataDirectory);

builder.AddServiceDefaults();
builder.Services.AddEventStore(builder.Configuration);
builder.AddIdentityModule();
// The workflow keeps a policy's gates as data; the evaluation module, which owns them, checks them at start-up; the
// synthesis module bounds the noise of the ε a request asks for.
builder.AddRequestsModule(ReleaseGateway.Evaluation.Gates.PolicyLoader.Check, ReleaseGateway.Synthesis.Synthesizers.Synthesizer.LargestNoiseScale);
builder.AddReleasesModule();
builder.AddWebModule();

var app = builder.Build();

app.UseServiceDefaults();
app.UseIdentityModule();

app.MapServiceDefaults();
app.MapIdentityEndpoints();
app.MapRequestsEndpoints();
app.MapReleasesEndpoints();
app.MapWebModule();

app.Run();
