package source

import "sync"

// rotPool is the allocator of the page reader of one late or dictionary
// column (parquet_dict.go), whose code copies what it keeps out of a page
// before it moves to the next: page buffers are recycled instead of being
// allocated, zeroed and collected for every page (a 10M-row JSON column
// is 1.4 GB of pages). arrow's page reader frees a page's buffer before
// the page is used (dictionary and v1 data pages) or when it moves to the
// next page (v2), so a freed buffer is only handed out again after one
// more allocation: by then the page it held has been read.
type rotPool struct {
	mu      sync.Mutex
	free    [][]byte
	pending [][]byte
}

func (p *rotPool) Allocate(size int) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b []byte
	for i, f := range p.free {
		if cap(f) >= size {
			b = f[:size]
			p.free = append(p.free[:i], p.free[i+1:]...)
			break
		}
	}
	if b == nil {
		b = make([]byte, size, size+size/8)
	}
	p.free = append(p.free, p.pending...)
	p.pending = p.pending[:0]
	if len(p.free) > 3 {
		p.free = p.free[len(p.free)-3:]
	}
	return b
}

func (p *rotPool) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		return b[:size]
	}
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

func (p *rotPool) Free(b []byte) {
	if cap(b) == 0 {
		return
	}
	p.mu.Lock()
	p.pending = append(p.pending, b[:cap(b)])
	p.mu.Unlock()
}
