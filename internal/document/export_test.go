package document

// LaidOut lays r out once and returns the writer's last step, for the
// raw benchmark.
func LaidOut(r *Rendered) (func() ([]byte, error), error) {
	c, err := newCanvas()
	if err != nil {
		return nil, err
	}
	p := &painter{c: c, y: marginT, r: r}
	for _, b := range blocks(r.Fragment) {
		p.block(b)
	}
	return func() ([]byte, error) { return c.finish("bench") }, nil
}
