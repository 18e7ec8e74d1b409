#!/usr/bin/env python3
"""bench/chart.py - draw bench/run.sh's results: records lost against the
offered rate, CPU per record, drain rate and instructions per record, for
every reader in the run.

    python3 bench/chart.py -o CHART.png RESULTS.tsv [MORE.tsv ...]

bench/run.sh calls it with -c CHART.png on the results of its own run (and
keeps them with -d DATA.tsv, so a chart can be redrawn without a rerun).
Each further file adds its readers as more series: another benchmark (the
Python module's, say) only has to write rows of the same form. The rows,
tab-separated, one per line ('#' starts a comment):

    trial         READER RATE_LABEL OFFERED_PER_S SENT WRITTEN CPU_S
    cpu           READER US_PER_RECORD
    drain         READER RECORDS SECONDS RECORDS_PER_S
    instructions  READER RECORDS IR_WITH IR_WITHOUT PER_RECORD
    note          READER TEXT            (shown after its name in the legend)

RATE_LABEL is what was asked ("max", "2max" or a rate), OFFERED_PER_S what
the senders reached; lost = SENT - WRITTEN. Rows of other kinds are ignored.
"""
import argparse
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after the backend is chosen)

# The readers of bench/run.sh in the order the chart lists them; readers
# from other files follow in the order they appear.
KNOWN = ["count", "nflogd-json", "nflogd-text", "nflogd-journal", "nflogd-rsyslog",
         "nflogd-rsyslog-tls", "ulogd2-json", "ulogd2-logemu", "py-nflogr", "py-upstream"]
# Series that lie on top of each other (every reader that loses nothing)
# stay apart by marker and line style.
MARKERS = "os^Dv<>ph*"
LINES = ["-", "--", "-.", ":"]


def read_rows(paths):
    """Rows of all files as lists of strings, in file order."""
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line and not line.startswith("#"):
                    rows.append(line.split("\t"))
    return rows


def collect(rows):
    """Per reader: loss points, CPU per record, drain rate, instructions,
    notes; and the readers in the order the chart lists them."""
    loss, cpu, drain, instr, notes, order = {}, {}, {}, {}, {}, []

    def seen(reader):
        if reader not in order:
            order.append(reader)

    for r in rows:
        try:
            add_row(r, (loss, cpu, drain, instr, notes), seen)
        except (ValueError, IndexError):
            print("chart.py: skipped a malformed row: " + "\t".join(r), file=sys.stderr)
    known = [k for k in KNOWN if k in order]
    return (loss, cpu, drain, instr, notes), known + [o for o in order if o not in KNOWN]


def add_row(r, series, seen):
    """One result row into the per-reader collections."""
    loss, cpu, drain, instr, notes = series
    kind, reader = r[0], r[1]
    if kind == "trial":
        offered, sent, written = float(r[3]), int(r[4]), int(r[5])
        if sent > 0 and offered > 0:
            loss.setdefault(reader, []).append((offered, 100.0 * (sent - written) / sent))
            seen(reader)
    elif kind == "cpu":
        cpu[reader] = float(r[2])
        seen(reader)
    elif kind == "drain":
        drain[reader] = float(r[4])
        seen(reader)
    elif kind == "instructions":
        instr[reader] = float(r[5])
        seen(reader)
    elif kind == "note":
        notes[reader] = r[2]


def bars(ax, names, values, colors, fmt, ref=None, log=False):
    """Horizontal bars with their values (and the ratio to ref) written on;
    log: a log scale, for values that span more than a decade."""
    y = range(len(names))
    ax.barh(list(y), values, color=[colors[n] for n in names])
    ax.set_yticks(list(y), names)
    ax.invert_yaxis()
    top = max(values) if values else 1
    for i, v in enumerate(values):
        label = fmt(v) + (f"  ({v / ref:.2f}x count)" if ref and names[i] != "count" else "")
        ax.text(v * 1.08 if log else v + top * 0.01, i, label, va="center", fontsize=8)
    if log:
        ax.set_xscale("log")
        ax.set_xlim(min(values) / 2, top * 6)  # room for the text right of the longest bar
    else:
        ax.set_xlim(0, top * 1.45)


def loss_panel(ax, order, loss, notes, colors):
    """Loss against offered rate, a marker per trial. The readers that lost
    nothing (all on the zero line) say so in the legend, with the highest
    rate they took."""
    for i, name in enumerate(order):
        if name not in loss:
            continue
        pts = sorted(loss[name])
        label = name + (f" ({notes[name]})" if name in notes else "")
        if all(p[1] == 0 for p in pts):
            label += f": none lost, up to {pts[-1][0] / 1000:.0f}k/s"
        # a faint line: trials near a reader's limit scatter (noise), the
        # markers are the data
        ax.plot([p[0] / 1000 for p in pts], [p[1] for p in pts], label=label,
                color=colors[name], marker=MARKERS[i % len(MARKERS)], markersize=6,
                linestyle=LINES[i % len(LINES)], linewidth=1, alpha=0.8, fillstyle="none")
    worst = max((p[1] for pts in loss.values() for p in pts), default=0)
    ax.set_ylim(-1.5, max(10, worst * 1.1))
    ax.set_ylabel("records lost (% of sent)")
    ax.set_xlabel("offered rate (thousand packets/s, what the senders reached)")
    ax.set_title("Records lost against offered rate")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")


def spans_decades(values):
    """True when the values span more than a decade (a log scale shows them better)."""
    return len(values) > 1 and min(values) > 0 and max(values) / min(values) > 10


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True, help="PNG to write")
    ap.add_argument("results", nargs="+", help="result files (bench/run.sh -d)")
    args = ap.parse_args()

    (loss, cpu, drain, instr, notes), order = collect(read_rows(args.results))
    if not order:
        sys.exit("chart.py: no results in " + ", ".join(args.results))
    palette = plt.get_cmap("tab10")
    colors = {name: palette(i % 10) for i, name in enumerate(order)}

    have = {"loss": loss, "cpu": cpu, "drain": drain, "instr": instr}
    panels = [p for p in ("loss", "cpu", "drain", "instr") if have[p]]
    cols = 2 if len(panels) > 2 else len(panels)
    rows = (len(panels) + cols - 1) // cols
    fig, grid = plt.subplots(rows, cols, figsize=(7 * cols, 4.6 * rows), squeeze=False)
    cells = [ax for row in grid for ax in row]
    for ax in cells[len(panels):]:
        ax.set_visible(False)
    axes = dict(zip(panels, cells))

    if "loss" in axes:
        loss_panel(axes["loss"], order, loss, notes, colors)
    if "cpu" in axes:
        names = [n for n in order if n in cpu]
        values = [cpu[n] for n in names]
        log = spans_decades(values)
        bars(axes["cpu"], names, values, colors, lambda v: f"{v:.2f} µs", cpu.get("count"), log)
        axes["cpu"].set_xlabel("reader CPU per record at full speed (µs, user + system"
                               + (", log scale)" if log else ")"))
        axes["cpu"].set_title("CPU per record")
    if "drain" in axes:
        names = [n for n in order if n in drain]
        bars(axes["drain"], names, [drain[n] / 1e6 for n in names], colors,
             lambda v: f"{v:.2f} M/s", drain.get("count", 0) / 1e6 or None)
        axes["drain"].set_xlabel("records written per second from a full buffer (millions)")
        axes["drain"].set_title("Drain rate")
    if "instr" in axes:
        names = [n for n in order if n in instr]
        bars(axes["instr"], names, [instr[n] for n in names], colors, lambda v: f"{v:.0f}",
             instr.get("count"))
        axes["instr"].set_xlabel("userspace instructions per record (callgrind)")
        axes["instr"].set_title("Instructions per record")

    first = next((line for path in args.results[:1] for line in open(path, encoding="utf-8")
                  if line.startswith("#")), "").lstrip("# ").strip()
    if first:
        fig.suptitle(first, fontsize=9)
    fig.tight_layout()
    fig.savefig(args.output, dpi=100)


if __name__ == "__main__":
    main()
