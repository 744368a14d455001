package main

import (
	"os"
	"syscall"
)

// growPipe enlarges the pipe w writes into (when it is one) to 1 MiB, the
// unprivileged maximum, so that `vigil simulate --out - | consumer` moves
// a chunk of rows in a few wake-ups of the reader rather than one per
// 64 KiB. Failing is harmless: the pipe keeps its size.
func growPipe(f *os.File) {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return
	}
	const fSetPipeSize = 1031 // F_SETPIPE_SZ
	syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), fSetPipeSize, 1<<20)
}
