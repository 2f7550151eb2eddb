using ReleaseGateway.Api.ServiceDefaults;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity;
using ReleaseGateway.Requests;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddEventStore(builder.Configuration);
builder.AddIdentityModule();
builder.AddRequestsModule();

var app = builder.Build();

app.UseServiceDefaults();
app.UseIdentityModule();

app.MapServiceDefaults();
app.MapIdentityEndpoints();
app.MapRequestsEndpoints();

app.Run();
