// Command benchscale is the whole-process scale benchmark of issue 12
// ("Scale"), run by `make bench-scale`:
//
//	go build -o bin/pubsubctl ./cmd/pubsubctl
//	go run ./internal/benchscale -bin bin/pubsubctl
//
// For N = 1,000 and 10,000 (N topics, each with one pull subscription) it
// writes a configuration in two shapes:
//
//   - (a) no dead-letter and no IAM: a defaults block turns dead-lettering
//     off (dead_letter { enabled = false, reason = "bench" }), so there are
//     2N resources and no policy;
//   - (b) pubsubctl's default dead-letter (a derived <sub>-dlq topic and
//     subscription per subscription, and the service agent's grants) and one
//     publisher per topic and one subscriber per subscription: 4N resources
//     and 3N policies. Only N=1,000: at N=10,000 it would need 20,000 topics
//     and 20,000 subscriptions, twice Pub/Sub's per-project quota (the
//     loader's MaxResourcesPerKind counts declared resources only, so such a
//     configuration would load, but could never be applied to Pub/Sub).
//
// For each shape and N it starts a fresh embedded emulator in another
// process (`pubsubctl emulator --port 0 --print-env`, on 127.0.0.1) and
// measures, as separate processes, the wall time and peak RSS (the child's
// rusage Maxrss) of validate, apply --auto-approve from empty
// (--parallelism 8; no client-side limit against an emulator), plan
// (no-op) and apply
// --auto-approve (no-op), and the CPU time of each and of the embedded
// emulator meanwhile. Next to them, in the same run, a direct-RPC baseline
// with the official Go client (cloud.google.com/go/pubsub/v2/apiv1 admin
// clients): on the same emulator, a List of every topic and subscription
// and GetIamPolicy of the resources whose IAM pubsubctl manages (16 in
// flight, plan's default); then, on a fresh emulator of the same kind (empty,
// as apply's was: pstest, under the embedded emulator, runs a 10ms ticker
// per subscription, so a full emulator slows every create), creates of the
// same topics and subscriptions (copies of what apply created, 8 in flight)
// and SetIamPolicy of the same policies. It prints a markdown table with the
// ratios pubsubctl / baseline.
//
// Where Google's official emulator is installed (emutest.FindOfficialLauncher)
// it also runs shape (a) at N=1,000 against it; otherwise it says why not.
//
// Every run is bounded: a total budget (-budget), a timeout per process
// (-step-timeout), and runs that no longer fit are skipped with the reason.
// It is not a test and CI does not run it.
package main
