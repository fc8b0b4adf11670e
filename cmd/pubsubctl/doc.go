// Package main is the pubsubctl binary: it hands its arguments, environment
// and standard streams to internal/cli and exits with the code it returns.
package main
