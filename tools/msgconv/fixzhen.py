#!/usr/bin/env python3
# Replace X.Zh / X.En on *apperr.Error values with X.Message("zh"/"en") at the
# positions the compiler names ("e.Zh undefined (type *apperr.Error ...").
import re, subprocess, sys, collections
repo = sys.argv[1]
for _ in range(20):
    out = subprocess.run(['go', 'vet', './...'], cwd=repo, capture_output=True, text=True).stderr
    hits = re.findall(r'^(?:vet: )?(\S+?\.go):(\d+):(\d+): ([\w\[\]\.\(\)]+)\.(Zh|En) undefined \(type \*?apperr\.Error', out, re.M)
    if not hits:
        break
    by = collections.defaultdict(list)
    for f, l, c, x, w in hits:
        by[f].append((int(l), int(c), x, w))
    for f, hs in by.items():
        p = f if f.startswith('/') else repo + '/' + f
        lines = open(p, 'rb').read().split(b'\n')
        for l, c, x, w in sorted(set(hs), reverse=True):
            line = lines[l-1]
            xb, wb = x.encode(), w.encode()
            i = line.find(xb + b'.' + wb, max(0, c-40))
            if i < 0:
                continue
            j = i + len(xb) + 1 + len(wb)
            if j < len(line) and (chr(line[j]).isalnum() or line[j] == ord('_')):
                continue
            lines[l-1] = line[:i] + xb + b'.Message("' + wb.lower() + b'")' + line[j:]
        open(p, 'wb').write(b'\n'.join(lines))
    print(len(hits), 'fixed')
