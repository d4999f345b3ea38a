package ops

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
)

// fanOut reads in to the end and hands batch i, numbered in input order,
// to adders[i % len(adders)], each adder on a goroutine of its own (an
// adder sees its batches in order). It stops at the first error of the
// input or of an adder; panics in adders become errors. Batches are
// released after their adder returns.
func fanOut(ctx context.Context, in Operator, adders []func(rec arrow.Record, seq int64) error) error {
	var failed atomic.Value
	chans := make([]chan seqRecord, len(adders))
	var wg sync.WaitGroup
	for i := range chans {
		chans[i] = make(chan seqRecord, 2)
		wg.Add(1)
		go func(add func(arrow.Record, int64) error, ch chan seqRecord) {
			defer wg.Done()
			for sr := range ch {
				if failed.Load() == nil {
					if err := guard(func() error { return add(sr.rec, sr.seq) }); err != nil {
						failed.CompareAndSwap(nil, err)
					}
				}
				sr.rec.Release()
			}
		}(adders[i], chans[i])
	}
	var readErr error
	for i := 0; ; i++ {
		if failed.Load() != nil {
			break
		}
		rec, err := in.Next(ctx)
		if err != nil {
			readErr = err
			break
		}
		if rec == nil {
			break
		}
		chans[i%len(chans)] <- seqRecord{rec: rec, seq: int64(i)}
	}
	for _, ch := range chans {
		close(ch)
	}
	wg.Wait()
	if readErr != nil {
		return readErr
	}
	if err, ok := failed.Load().(error); ok {
		return err
	}
	return nil
}
