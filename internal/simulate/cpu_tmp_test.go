package simulate

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestCPUTmp(t *testing.T) {
	for i := 0; i < 3; i++ {
		g, _ := New(Config{Seed: 42})
		c0, t0 := cpuTime(), time.Now()
		var bc byteCounter
		g.WriteNDJSON(context.Background(), 3_000_000, &bc)
		c, el := cpuTime()-c0, time.Since(t0)
		fmt.Printf("wall %v cpu %v util %.2f  %.0f ev/s  %.0f ev/cpu-s\n", el, c, c.Seconds()/el.Seconds(), 3e6/el.Seconds(), 3e6/c.Seconds())
	}
}
