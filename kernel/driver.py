"""Executes one notebook with nbclient for `go run ./kernel run`.

The Go command embeds this file, writes it to a temporary directory and runs
it with a Python that has nbclient, nbformat and nbconvert. It executes the
cells in order with allow_errors, stops after the first cell that failed
(an error output, or stream text matching --fail-regexp), writes the executed
notebook and, optionally, an HTML export without CDN scripts. It does not
judge the notebook: the Go side reads the written notebook and reports every
failed cell. Exit status: 0 when the notebook was written (failed cells or
not), 3 when it could not be run at all (the reason on stderr).
"""

import argparse
import os
import re
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kernel", required=True)
    p.add_argument("--timeout", type=int, required=True, help="seconds per cell")
    p.add_argument("--startup-timeout", type=int, default=300)
    p.add_argument("--fail-regexp", required=True)
    p.add_argument("--extra-arg", action="append", default=[],
                   help="appended to the kernelspec's argv (e.g. --raw_error)")
    p.add_argument("--cwd", required=True)
    p.add_argument("--html", default="")
    p.add_argument("src")
    p.add_argument("dst")
    a = p.parse_args()

    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellTimeoutError, DeadKernelError
        from jupyter_client.kernelspec import NoSuchKernel
    except ImportError as e:
        print(f"python {sys.executable}: {e} (install nbclient, nbformat, nbconvert)", file=sys.stderr)
        return 3

    nb = nbformat.read(a.src, as_version=4)
    fail = re.compile(a.fail_regexp, re.M)
    client = NotebookClient(nb, kernel_name=a.kernel, timeout=a.timeout,
                            startup_timeout=a.startup_timeout, allow_errors=True,
                            resources={"metadata": {"path": a.cwd}})
    try:
        client.km = client.create_kernel_manager()
        spec = client.km.kernel_spec
    except NoSuchKernel:
        print(f"no Jupyter kernel named {a.kernel!r} (run: go run ./kernel install)", file=sys.stderr)
        return 3
    for arg in a.extra_arg:
        if arg not in spec.argv:
            spec.argv = list(spec.argv) + [arg]

    # Outputs of a previous run must not be mistaken for this run's.
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = []
            c.execution_count = None

    try:
        with client.setup_kernel():
            for i, c in enumerate(nb.cells):
                if c.cell_type != "code":
                    continue
                try:
                    client.execute_cell(c, i)
                except (CellTimeoutError, DeadKernelError) as e:
                    c.outputs.append(nbformat.v4.new_output(
                        "error", ename=type(e).__name__, evalue=str(e).strip()[:2000], traceback=[]))
                    break
                finally:
                    coalesce(c)
                if failed(c, fail):
                    break
    except Exception as e:  # kernel did not start, or died between cells
        if not any(c.cell_type == "code" and c.get("outputs") for c in nb.cells):
            print(f"{a.src}: kernel {a.kernel!r}: {type(e).__name__}: {e}", file=sys.stderr)
            return 3
        last = [c for c in nb.cells if c.cell_type == "code" and c.execution_count is not None]
        target = last[-1] if last else next(c for c in nb.cells if c.cell_type == "code")
        target.outputs.append(nbformat.v4.new_output(
            "error", ename="KernelError", evalue=f"{type(e).__name__}: {e}"[:2000], traceback=[]))

    nbformat.write(nb, a.dst)
    if a.html:
        export_html(nb, a.html)
    return 0


def coalesce(c):
    """Merges consecutive stream outputs of the same name: GoNB forwards a
    program's output in the pieces it was written in (a panic trace arrives
    token by token)."""
    merged = []
    for o in c.get("outputs", []):
        if (o.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == o.get("name")):
            merged[-1]["text"] += o.get("text", "")
        else:
            merged.append(o)
    c.outputs = merged


def failed(c, fail):
    for o in c.get("outputs", []):
        if o.get("output_type") == "error":
            return True
        if o.get("output_type") == "stream" and fail.search(o.get("text", "")):
            return True
    return False


# A small stand-alone page around nbconvert's "basic" (body-only) export:
# no <script> and no CDN links, so it opens offline without console errors,
# and a few KB of CSS instead of the lab template's 500 KB.
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #222; }}
.cell {{ margin: 0.8rem 0; }}
.input_prompt, .prompt {{ display: none; }}
.input_area {{ background: #f6f8fa; border: 1px solid #e1e4e8; border-radius: 4px; padding: 0.2rem 0.6rem; overflow-x: auto; }}
.output_area pre, .output_text pre {{ background: #fff; border-left: 3px solid #d0d7de; padding: 0.2rem 0.6rem; overflow-x: auto; white-space: pre-wrap; }}
.output_stderr pre {{ border-left-color: #e5534b; }}
.output_error pre {{ background: #fff0f0; border-left-color: #e5534b; }}
.output_html {{ overflow-x: auto; }}
svg {{ max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; margin: 0.5rem 0; }}
th, td {{ border: 1px solid #d0d7de; padding: 0.2rem 0.5rem; text-align: left; }}
th {{ background: #f6f8fa; }}
.ansi-red-fg {{ color: #c62828; }} .ansi-green-fg {{ color: #2e7d32; }} .ansi-yellow-fg {{ color: #9a6700; }}
.ansi-blue-fg {{ color: #1565c0; }} .ansi-bold {{ font-weight: bold; }}
{pygments}
</style>
</head>
<body>
<main class="notebook">
{body}
</main>
</body>
</html>
"""


def export_html(nb, path):
    import html
    from nbconvert import HTMLExporter
    from pygments.formatters import HtmlFormatter
    exporter = HTMLExporter(template_name="basic")
    body, _ = exporter.from_notebook_node(nb)
    title = os.path.splitext(os.path.basename(path))[0]
    page = PAGE.format(title=html.escape(title), body=body,
                       pygments=HtmlFormatter(style="default").get_style_defs(".highlight"))
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)


if __name__ == "__main__":
    sys.exit(main())
