package telemetry

// SetupEnv is Setup reading the variables from getenv.
var SetupEnv = setup
