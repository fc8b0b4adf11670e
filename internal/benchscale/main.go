package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// run is one shape and size on one emulator.
type run struct {
	shape    shape
	n        int
	official bool

	steps  []stepResult
	base   baseline
	emuRSS float64 // the embedded emulator's peak RSS, MB
	skip   string  // why the run did not happen
	err    error   // why it stopped
}

type stepResult struct {
	name string
	measured
}

// The steps, in the order they run; each is a separate pubsubctl process.
var steps = []struct {
	name string
	args []string
}{
	{"validate", []string{"validate"}},
	{"apply (from empty)", []string{"apply", "--auto-approve", "--parallelism", "8"}},
	{"plan (no-op)", []string{"plan", "--detailed-exitcode"}},
	{"apply (no-op)", []string{"apply", "--auto-approve", "--parallelism", "8"}},
}

func (r *run) emulatorName() string {
	if r.official {
		return "Google's"
	}
	return "embedded"
}

func (r *run) label() string {
	return fmt.Sprintf("%s, N=%s, %s emulator", r.shape, count(r.n), r.emulatorName())
}

func main() {
	bin := flag.String("bin", "bin/pubsubctl", "the pubsubctl binary to measure")
	sizes := flag.String("sizes", "1000,10000", "comma-separated N (topics, each with one subscription)")
	budget := flag.Duration("budget", 7*time.Minute+30*time.Second, "total time for all runs; runs that no longer fit are skipped")
	stepTimeout := flag.Duration("step-timeout", 4*time.Minute, "timeout of each pubsubctl process and each baseline")
	official := flag.Bool("official", true, "also run shape (a), N=1,000 on Google's emulator when it is installed")
	keep := flag.Bool("keep", false, "keep the work directory (configurations and logs)")
	commit := flag.String("commit", "", "the commit -bin was built from, for the header (default: this working tree's, +dirty when it has changes)")
	overQuota := flag.Bool("over-quota", false, "also run shape (b) above N=5,000 (N=10,000: 40,000 resources, 30,000 policies, twice Pub/Sub's per-project quota of topics and subscriptions), which the embedded emulator, having no resource-count quota, accepts; its apply from empty takes far longer than the default -budget and -step-timeout (an hour or more here)")
	flag.Parse()

	if *commit == "" {
		*commit = gitHead()
	}
	if err := mainErr(*bin, *sizes, *commit, *budget, *stepTimeout, *official, *keep, *overQuota); err != nil {
		fmt.Fprintf(os.Stderr, "benchscale: %v\n", err)
		os.Exit(1)
	}
}

func mainErr(bin, sizeList, commit string, budget, stepTimeout time.Duration, official, keep, overQuota bool) error {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(abs); err != nil || fi.IsDir() {
		return fmt.Errorf("-bin %s: not a binary (build it first: go build -o bin/pubsubctl ./cmd/pubsubctl)", bin)
	}
	var ns []int
	for _, f := range strings.Split(sizeList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 10_000 {
			return fmt.Errorf("-sizes: %q is not a number from 1 to 10,000", f)
		}
		ns = append(ns, n)
	}
	work, err := os.MkdirTemp("", "benchscale-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Fprintf(os.Stderr, "work directory: %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	began := time.Now()
	ctx, cancel := context.WithDeadline(ctx, began.Add(budget))
	defer cancel()

	// Cheap runs first, so that a slow machine still gets them.
	var runs []*run
	for _, n := range ns {
		runs = append(runs, &run{shape: shapeA, n: n}, &run{shape: shapeB, n: n})
	}
	if official {
		runs = append(runs, &run{shape: shapeA, n: min(1000, ns[0]), official: true})
	}
	sortRuns(runs)

	fmt.Printf("pubsubctl scale benchmark: %s, commit %s, %d CPUs (GOMAXPROCS %d), %s/%s, %s\n",
		time.Now().Format("2006-01-02 15:04 MST"), commit, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
	// The floor of every step: starting the process and printing a line.
	floor := runPubsubctl(ctx, 30*time.Second, abs, nil, filepath.Join(work, "version.log"), "version")
	if floor.err != nil {
		return floor.err
	}
	for _, r := range runs {
		if r.shape == shapeB && r.n > 5000 && !overQuota {
			t, s, _ := r.shape.resources(r.n)
			r.skip = fmt.Sprintf("not run: it would need %s topics and %s subscriptions (each subscription's derived -dlq topic and subscription), over Pub/Sub's quota of 10,000 topics and 10,000 subscriptions per project; the loader's MaxResourcesPerKind (10,000, internal/config/limits.go) counts declared resources only, so it loads (validate warns about the quota) but could never be applied to Pub/Sub (-over-quota runs it on the embedded emulator, which has no such quota)", count(t), count(s))
			continue
		}
		left := time.Until(began.Add(budget))
		if need := minTime(r.n); left < need {
			r.skip = fmt.Sprintf("not run: %v of the %v budget left, and this run needs about %v", left.Round(time.Second), budget, need)
			continue
		}
		fmt.Fprintf(os.Stderr, "[%s] %s ...\n", time.Since(began).Round(time.Second), r.label())
		measureRun(ctx, r, abs, work, stepTimeout)
	}

	fmt.Println()
	printTable(runs)
	fmt.Printf("- the floor of every step, `pubsubctl version`: %.3f s, %.0f MB.\n", floor.secs, floor.rssMB)
	fmt.Printf("\nTotal: %s.\n", time.Since(began).Round(time.Second))
	for _, r := range runs {
		if r.err != nil {
			return fmt.Errorf("%s failed", r.label())
		}
	}
	return nil
}

// sortRuns orders runs by N, the embedded emulator first.
func sortRuns(runs []*run) {
	for i := 1; i < len(runs); i++ {
		for j := i; j > 0 && less(runs[j], runs[j-1]); j-- {
			runs[j], runs[j-1] = runs[j-1], runs[j]
		}
	}
}

func less(a, b *run) bool {
	if a.n != b.n {
		return a.n < b.n
	}
	if a.official != b.official {
		return !a.official
	}
	return a.shape < b.shape
}

// minTime is a lower bound on a run of n pairs here, below which it is not
// started.
func minTime(n int) time.Duration {
	return 20*time.Second + time.Duration(n)*15*time.Millisecond
}

// measureRun writes the configuration, starts a fresh emulator, runs the
// four pubsubctl steps and then the baseline, and stops the emulator.
func measureRun(ctx context.Context, r *run, bin, work string, stepTimeout time.Duration) {
	dir := filepath.Join(work, fmt.Sprintf("%c-%d-%s", r.shape, r.n, r.emulatorName()[:3]))
	cfgDir := filepath.Join(dir, "config")
	if err := os.MkdirAll(cfgDir, 0o755); err != nil {
		r.err = err
		return
	}
	if err := writeConfig(cfgDir, r.shape, r.n); err != nil {
		r.err = err
		return
	}
	emu, err := r.startEmulator(bin, filepath.Join(dir, "emulator.log"))
	if err != nil {
		return
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			r.emuRSS = emu.stop()
		}
	}
	defer stop()

	for i, s := range steps {
		left := time.Until(deadlineOf(ctx))
		if left <= time.Second {
			r.err = fmt.Errorf("%s: the time budget ran out", s.name)
			return
		}
		timeout := min(stepTimeout, left)
		args := append(append([]string{}, s.args...), cfgDir)
		m := runPubsubctl(ctx, timeout, bin, emu, filepath.Join(dir, fmt.Sprintf("%d-%s.log", i, s.args[0])), args...)
		r.steps = append(r.steps, stepResult{s.name, m})
		fmt.Fprintf(os.Stderr, "  %-20s %7.2fs %6.0f MB  CPU %.2fs, emulator CPU %.2fs\n", s.name, m.secs, m.rssMB, m.cpuSecs, m.emuCPU)
		if m.err != nil {
			r.err = m.err
			return
		}
	}

	// The baseline's reads see the state plan read, on the same emulator.
	bctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	l, err := baselineReads(bctx, emu.addr, r.shape, &r.base)
	if err != nil {
		r.err = fmt.Errorf("baseline reads: %w", err)
		return
	}
	if want, _, _ := r.shape.resources(r.n); r.base.topics != want {
		r.err = fmt.Errorf("baseline listed %d topics, apply should have created %d", r.base.topics, want)
		return
	}
	stop()

	// The baseline's creates start from empty, as apply did: on a fresh
	// emulator of the same kind, once the first one has stopped. (pstest,
	// under the embedded emulator, runs a 10ms ticker per subscription
	// that takes the server's lock, so an emulator that already holds the
	// N subscriptions apply created would make every create slower.)
	emu2, err := r.startEmulator(bin, filepath.Join(dir, "emulator2.log"))
	if err != nil {
		return
	}
	defer emu2.stop()
	if err := baselineCreates(bctx, emu2.addr, l, &r.base); err != nil {
		r.err = fmt.Errorf("baseline creates: %w", err)
		return
	}
	fmt.Fprintf(os.Stderr, "  baseline: list %.2fs, get IAM %.2fs, create %.2fs\n", r.base.listSecs, r.base.getIAMSecs, r.base.createSecs)
}

// startEmulator starts a fresh emulator of the run's kind. On failure it
// sets r.err, or r.skip when Google's emulator is not installed.
func (r *run) startEmulator(bin, logPath string) (*emulatorProc, error) {
	if !r.official {
		emu, err := startEmbedded(bin, logPath)
		if err != nil {
			r.err = err
		}
		return emu, err
	}
	emu, notInstalled, err := startOfficial()
	switch {
	case notInstalled:
		r.skip = "skipped: " + err.Error()
	case err != nil:
		r.err = err
	}
	return emu, err
}

func deadlineOf(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now().Add(time.Hour)
}

// printTable prints the results as one markdown table, then the skipped
// and failed runs.
func printTable(runs []*run) {
	fmt.Println("| shape | N | emulator | step | pubsubctl s | CPU s (CLI / emulator) | peak RSS MB | direct-RPC baseline (Go client) | baseline s | ratio |")
	fmt.Println("| --- | ---: | --- | --- | ---: | ---: | ---: | --- | ---: | ---: |")
	for _, r := range runs {
		if r.skip != "" || len(r.steps) == 0 {
			continue
		}
		_, _, p := r.shape.resources(r.n)
		for _, st := range r.steps {
			what, secs := "—", 0.0
			if r.base.createSecs > 0 {
				switch st.name {
				case "apply (from empty)":
					what = fmt.Sprintf("create %s topics + %s subs", count(r.base.topics), count(r.base.subs))
					if r.base.policies > 0 {
						what += fmt.Sprintf(" + SetIamPolicy ×%s", count(r.base.policies))
					}
					what += ", 8 in flight"
					secs = r.base.createSecs
				case "plan (no-op)", "apply (no-op)":
					what = fmt.Sprintf("List %s resources", count(r.base.topics+r.base.subs))
					if r.base.iamNote == "" {
						what += fmt.Sprintf(" + GetIamPolicy ×%s (16 in flight)", count(p))
					}
					secs = r.base.readSecs()
				}
			}
			base, ratio := "", ""
			if secs > 0 {
				base, ratio = fmt.Sprintf("%.3f", secs), fmt.Sprintf("%.1fx", st.secs/secs)
			}
			res := fmt.Sprintf("%.2f", st.secs)
			if st.err != nil {
				res = "failed"
			}
			cpu := fmt.Sprintf("%.2f / ", st.cpuSecs)
			if st.emuCPU >= 0 {
				cpu += fmt.Sprintf("%.2f", st.emuCPU)
			} else {
				cpu += "—"
			}
			fmt.Printf("| %c | %s | %s | %s | %s | %s | %.0f | %s | %s | %s |\n",
				r.shape, count(r.n), r.emulatorName(), st.name, res, cpu, st.rssMB, what, base, ratio)
		}
	}
	fmt.Println()
	fmt.Println("Shapes: (a) N topics + N pull subscriptions, dead_letter { enabled = false }, no IAM;")
	fmt.Println("(b) the same with pubsubctl's default dead-letter (derived <sub>-dlq topic + subscription, service-agent grants)")
	fmt.Println("and one publisher / subscriber member per topic / subscription: 4N resources, 3N policies.")
	fmt.Println("apply runs with --parallelism 8 and default flags (no client-side limit against an emulator); each step is a fresh process.")
	fmt.Println("The baseline's List and GetIamPolicy read the state plan read, on the same emulator; its creates run on a fresh")
	fmt.Println("emulator of the same kind (empty, as for apply from empty). CPU s: the step's own user+system time, and the")
	fmt.Println("embedded emulator's meanwhile (2 cores: both compete).")
	for _, r := range runs {
		switch {
		case r.skip != "":
			fmt.Printf("- %s: %s\n", r.label(), r.skip)
		case r.err != nil:
			fmt.Printf("- %s: FAILED: %v\n", r.label(), r.err)
		case r.emuRSS > 0:
			fmt.Printf("- %s: the emulator process peaked at %.0f MB RSS.\n", r.label(), r.emuRSS)
		}
	}
}

// count formats n with thousands separators.
func count(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// gitHead is the short commit of the working tree, "+dirty" when it has
// changes, or "unknown".
func gitHead() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	head := strings.TrimSpace(string(out))
	if err := exec.Command("git", "diff", "--quiet", "HEAD", "--", ".").Run(); err != nil {
		head += "+dirty"
	}
	return head
}
