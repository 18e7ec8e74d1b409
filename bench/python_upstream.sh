#!/bin/bash
# bench/python_upstream.sh - build nflogr 0.2.3 (upstream python-nflogr,
# a423f4f) for this machine's Python, for bench/run.sh (reader
# py-upstream) and bench/python.sh.
#
#   bench/python_upstream.sh [-s SOURCE] [-p PYTHON] DEST
#     -s  a python-nflogr source tree (default: cloned from GitHub at a423f4f)
#     -p  the Python to build for (default /usr/bin/python3: the one meson
#         builds this tree's module for, and the one the bench runs)
#   DEST (must not exist) gets a copy of the source, made to build on
#   Python >= 3.10, and the module built in place: PYTHONPATH=DEST.
#
# Needs g++ python3-dev python3-setuptools libnetfilter-log-dev
# libnfnetlink-dev. Exits non-zero with the reason (and the build log) on
# stderr when the source cannot be had or does not build.
set -euo pipefail
SOURCE='' PY=/usr/bin/python3
while getopts "s:p:" opt; do
	case $opt in
	s) SOURCE=$OPTARG ;;
	p) PY=$OPTARG ;;
	*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || { echo "python_upstream.sh: DEST is required" >&2; exit 2; }
DEST=$1
[ ! -e "$DEST" ] || { echo "python_upstream.sh: $DEST exists" >&2; exit 2; }

if [ -n "$SOURCE" ]; then
	[ -f "$SOURCE/nflogr.cc" ] || { echo "python_upstream.sh: $SOURCE is not a python-nflogr tree" >&2; exit 1; }
	cp -r "$SOURCE" "$DEST"
else
	GIT_TERMINAL_PROMPT=0 timeout 300 git clone -q https://github.com/ryancdotorg/python-nflogr "$DEST" ||
		{ echo "python_upstream.sh: cannot clone python-nflogr from GitHub" >&2; exit 1; }
	git -C "$DEST" checkout -q a423f4f
fi
chmod -R u+w "$DEST"
# Python >= 3.10 refuses Py_BuildValue("y#") without PY_SSIZE_T_CLEAN and
# a Py_ssize_t length: define it and cast every such length (a build fix
# only; nothing else of the module changes).
"$PY" - "$DEST" <<'PY'
import pathlib, re, sys
for path in pathlib.Path(sys.argv[1]).glob("*.cc"):
    src = path.read_text()
    if "#include <Python.h>" not in src or "PY_SSIZE_T_CLEAN" in src:
        continue
    src = src.replace("#include <Python.h>", "#define PY_SSIZE_T_CLEAN\n#include <Python.h>", 1)
    out, i = [], 0
    for m in re.finditer(r'Py_BuildValue\("y#", ', src):
        if m.start() < i:
            continue
        j, depth = m.end(), 1                  # split the two arguments at depth 1
        comma = None
        while depth:
            c = src[j]
            depth += c == "(" or -(c == ")")
            if c == "," and depth == 1:
                comma = j
            j += 1
        out.append(src[i:comma + 1] + " (Py_ssize_t)(" + src[comma + 1:j - 1].strip() + "))")
        i = j
    path.write_text("".join(out) + src[i:])
PY
(cd "$DEST" && SETUPTOOLS_USE_DISTUTILS=stdlib "$PY" setup.py -q build_ext --inplace \
	>"$DEST/build.log" 2>&1) || { cat "$DEST/build.log" >&2; exit 1; }
compgen -G "$DEST/nflogr.*.so" >/dev/null || { echo "python_upstream.sh: no module built in $DEST" >&2; exit 1; }
