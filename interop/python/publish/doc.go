// Command publish publishes one message to a topic of the Pub/Sub emulator
// at PUBSUB_EMULATOR_HOST, with attributes and an ordering key, and waits
// for the server's acknowledgement: the publisher of the Python interop
// check (interop/python/check.py), since Debian packages no Python
// Pub/Sub client.
//
//	publish -project P -topic T -data D [-ordering-key K] [-attr k=v ...]
package main
