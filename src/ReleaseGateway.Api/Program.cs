using ReleaseGateway.Api.ServiceDefaults;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddEventStore(builder.Configuration);
builder.AddIdentityModule();

var app = builder.Build();

app.UseServiceDefaults();
app.UseIdentityModule();

app.MapServiceDefaults();
app.MapIdentityEndpoints();

app.Run();
