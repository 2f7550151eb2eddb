using ReleaseGateway.Api.ServiceDefaults;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity;
using ReleaseGateway.Releases;
using ReleaseGateway.Requests;
using ReleaseGateway.Web;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddEventStore(builder.Configuration);
builder.AddIdentityModule();
builder.AddRequestsModule();
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
