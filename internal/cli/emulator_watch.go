package cli

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// watch keeps the emulator at addr in step with the configurations'
// files until rc.ctx ends: every interval it stamps each configuration's
// inputs (inputStamps: sizes and modification times); a change that holds
// for one more look (editors write a file in several steps) is loaded,
// planned and applied through the pipeline (emulatorApply), printing the
// plan. A configuration that does not load or apply is reported and
// left: the emulator keeps serving the state last applied.
func (rc *runContext) watch(addr string, configs []*emuConfig, interval time.Duration, outputs string) {
	t := time.NewTicker(interval)
	defer t.Stop()
	pending := make([]stamps, len(configs)) // a change seen once, not yet settled
	for {
		select {
		case <-rc.ctx.Done():
			return
		case <-t.C:
		}
		for i, ec := range configs {
			now := inputStamps(ec.path, rc.g.VarFile)
			switch {
			case now.equal(ec.files):
				pending[i] = nil
				continue
			case pending[i] == nil || !now.equal(pending[i]):
				pending[i] = now
				continue
			}
			pending[i] = nil
			changed := now.changed(ec.files)
			// Recorded before loading: a broken configuration is tried
			// again on its next change, not at every look.
			ec.files = now
			if rc.reapply(addr, configs, i, changed) && outputs != "" {
				if err := writeOutputsFile(outputs, configs); err != nil {
					reportErr(rc, err)
				} else {
					fmt.Fprintf(rc.stdout, "Wrote the outputs to %s.\n", outputs)
				}
			}
			// What the output filter held back is written now, not
			// at the next change.
			for _, w := range []any{rc.stdout, rc.stderr} {
				if f, ok := w.(interface{ Sync() error }); ok {
					f.Sync()
				}
			}
			if rc.ctx.Err() != nil {
				return
			}
		}
	}
}

// reapply loads configs[i] again, after its files changed, and applies it
// to the emulator at addr; on success configs[i] is the configuration
// applied, and reapply reports true.
func (rc *runContext) reapply(addr string, configs []*emuConfig, i int, changed []string) bool {
	ec := configs[i]
	fmt.Fprintf(rc.stdout, "\n%s %s changed: planning stack %s of project %s (%s) again.\n",
		time.Now().Format("15:04:05"), strings.Join(changed, ", "), ec.cfg.Stack, ec.cfg.Project, ec.path)
	keep := func() {
		fmt.Fprintf(rc.stderr, "%s is not applied; the emulator keeps serving what was last applied. Fix the files and save to try again.\n", ec.path)
	}
	res, _, err := rc.load(ec.path) // prints the diagnostics
	if err != nil {
		reportErr(rc, err)
		keep()
		return false
	}
	next := &emuConfig{path: ec.path, cfg: res.Config, res: res, files: ec.files}
	for j, o := range configs {
		if j != i && o.key() == next.key() {
			fmt.Fprintf(rc.stderr, "Error: %v\n", sameStackError(o, next))
			keep()
			return false
		}
	}
	if next.key() != ec.key() {
		fmt.Fprintf(rc.stdout, "%s is now stack %s of project %s (was stack %s of project %s): the resources of the old stack stay in the emulator.\n",
			ec.path, next.cfg.Stack, next.cfg.Project, ec.cfg.Stack, ec.cfg.Project)
	}
	err = rc.emulatorApply(addr, next, true)
	if next.key() != ec.key() || err == nil {
		// From now on the emulator holds (some of) the new stack.
		configs[i] = next
	}
	if err != nil {
		if rc.ctx.Err() != nil {
			return false // shutting down
		}
		reportErr(rc, err)
		keep()
	}
	return err == nil
}

// reportErr prints err the way Main does, unless it was printed already
// (an exitError without a message).
func reportErr(rc *runContext, err error) {
	var ee *exitError
	if errors.As(err, &ee) && ee.err == nil {
		return
	}
	fmt.Fprintf(rc.stderr, "Error: %v\n", err)
}

// changed returns the files whose stamps differ between old and s
// (added, removed or modified), sorted.
func (s stamps) changed(old stamps) []string {
	var out []string
	for p, st := range s {
		if o, ok := old[p]; !ok || o.size != st.size || !o.mod.Equal(st.mod) {
			out = append(out, p)
		}
	}
	for p := range old {
		if _, ok := s[p]; !ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
