// Package loadtest measures Boussole as operators run it at scale: several
// real `boussole serve` processes on one PostgreSQL database, talking to
// the fake Discord server of adapters/discord/discordtest. It holds only
// tests: TestLoad (concurrent conversations with escalations, claims and
// relays, one replica killed with SIGKILL mid-run and restarted; every
// message counted at both ends) and TestFailover (a replica killed while
// holding outgoing messages; another sends them, once each). docs/scale.md
// gives the commands and the figures they measured.
package loadtest
