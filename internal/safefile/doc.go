// Package safefile reads files that users name (configuration files,
// var-files, saved plans) within bounds: only regular files, never more
// than a limit, never blocking on a FIFO or reading a device forever.
package safefile
