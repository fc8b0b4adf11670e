// Package emutest starts Pub/Sub emulators for tests: the embedded one
// (package emulator) and, for parity checks, the official Google emulator
// from the google-cloud-cli-pubsub-emulator Debian package. Both are
// stopped when the test ends.
package emutest
