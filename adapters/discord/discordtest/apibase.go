package discordtest

// APIBase is the REST base URL standing for https://discord.com/api on
// this server, for a client configured with discord.api_base (another
// process, such as `boussole serve` in a load test, which cannot be given
// Client).
func (f *Server) APIBase() string { return f.srv.URL + "/api" }
