package source

import "sync"

// rotPool is the allocator of the page reader of one late or dictionary
// column (parquet_dict.go), whose code copies what it keeps out of a page
// before it is done with it: page buffers are recycled instead of being
// allocated, zeroed and collected for every page (a 10M-row JSON column
// is 1.4 GB of pages). arrow's page reader frees a page's buffer before
// the page is used (dictionary and v1 data pages) or when it moves to the
// next page (v2), so a freed buffer is handed out again only after
// rotDelay more allocations (one would do; the margin is for safety): by
// then the page it held has been read.
type rotPool struct {
	mu      sync.Mutex
	allocs  int
	pending []rotBuf // freed, oldest first
}

type rotBuf struct {
	b   []byte
	gen int // allocs when freed
}

const rotDelay = 5

func (p *rotPool) Allocate(size int) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.allocs++
	for i, f := range p.pending {
		if p.allocs-f.gen <= rotDelay {
			break // the rest were freed later still
		}
		if cap(f.b) >= size {
			p.pending = append(p.pending[:i], p.pending[i+1:]...)
			return f.b[:size]
		}
	}
	if len(p.pending) > 2*rotDelay {
		p.pending = append(p.pending[:0], p.pending[len(p.pending)-2*rotDelay:]...)
	}
	return make([]byte, size, size+size/8)
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
	p.pending = append(p.pending, rotBuf{b: b[:cap(b)], gen: p.allocs})
	p.mu.Unlock()
}
