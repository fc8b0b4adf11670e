// Command seed starts the embedded Pub/Sub emulator on a free port, creates
// the resources the foreign-client interop check expects, prints the
// address as "EMULATOR_ADDR=host:port" and serves until it is killed.
//
// Resources (in -project): topic interop-topic; dead-letter topic
// interop-dlq with subscription interop-dlq-sub; subscription interop-sub on
// interop-topic with message ordering and a dead-letter policy of at most 5
// delivery attempts to interop-dlq.
package main
