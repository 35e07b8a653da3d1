#!/usr/bin/env bash
# Optional extras for neurocrypt. Nothing here is needed for
# `go run ./cmd/neurocrypt reproduce` or `go test ./...`: they need only Go.
#
#   scripts/setup.sh [--jupyter] [--kernel] [--onnx] [--pjrt] [--torch] [--strict]
#
# With no selection it sets up everything it can:
#   --jupyter  Jupyter (the classic Notebook + nbconvert/nbclient) from apt, when
#              missing and apt-get is usable (root or sudo);
#   --kernel   `go run ./kernel install`: GoNB + goimports at pinned versions and
#              the "Go (neurocrypt)" Jupyter kernel for this checkout;
#   --onnx     ONNX Runtime's shared library (libonnxruntime.so.1) into
#              $NEUROCRYPT_LIB_DIR (default ~/.local/lib/neurocrypt/): the official
#              release where reachable, else the copy inside the npm package
#              onnxruntime-node@1.30.0;
#   --pjrt     the PJRT CPU plugin (GoMLX's XLA backend) into ~/.local/lib/go-xla/,
#              where reachable;
#   --torch    PyTorch for the CPU (Debian's python3-torch, from apt): the reference
#              the ANC report's training-speed table compares GoMLX with.
# Each step is idempotent: what is already there is kept. The script prints what
# it did and what is missing; with --strict it exits 1 when a selected item is
# missing at the end.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1

ORT_VERSION=1.30.0
LIB_DIR=${NEUROCRYPT_LIB_DIR:-$HOME/.local/lib/neurocrypt}
PJRT_DIR=${NEUROCRYPT_PJRT_DIR:-$HOME/.local/lib/go-xla}
PYTHON=${NEUROCRYPT_PYTHON:-/usr/bin/python3}

want_jupyter=0 want_kernel=0 want_onnx=0 want_pjrt=0 want_torch=0 strict=0 any=0
for arg in "$@"; do
  case "$arg" in
  --jupyter) want_jupyter=1 any=1 ;;
  --kernel) want_kernel=1 any=1 ;;
  --onnx) want_onnx=1 any=1 ;;
  --pjrt) want_pjrt=1 any=1 ;;
  --torch) want_torch=1 any=1 ;;
  --strict) strict=1 ;;
  -h | --help)
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "setup.sh: unknown argument $arg (see --help)" >&2
    exit 2
    ;;
  esac
done
if [ "$any" = 0 ]; then
  want_jupyter=1 want_kernel=1 want_onnx=1 want_pjrt=1 want_torch=1
fi

did=() missing=()
say() { printf '== %s\n' "$*"; }
done_() { did+=("$1"); printf '   done: %s\n' "$1"; }
ok() { printf '   ok: %s\n' "$1"; }
miss() { missing+=("$1"); printf '   MISSING: %s\n' "$1"; }

# reachable URL: true when the URL answers within 10 s (curl or wget).
reachable() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSIL --max-time 10 -o /dev/null "$1" 2>/dev/null
  else
    wget -q --spider --timeout=10 "$1" 2>/dev/null
  fi
}

# fetch URL FILE: downloads with curl or wget.
fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --max-time 600 -o "$2" "$1"
  else
    wget -q --timeout=600 -O "$2" "$1"
  fi
}

arch_ort() {
  case "$(uname -m)" in
  x86_64 | amd64) echo x64 ;;
  aarch64 | arm64) echo arm64 ;;
  *) echo "" ;;
  esac
}

have_jupyter() {
  command -v jupyter >/dev/null 2>&1 &&
    { "$PYTHON" -c 'import nbclient, nbformat, nbconvert' 2>/dev/null ||
      python3 -c 'import nbclient, nbformat, nbconvert' 2>/dev/null; }
}

apt_install() {
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || return 1
    sudo="sudo -n"
  fi
  command -v apt-get >/dev/null 2>&1 || return 1
  $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

step_jupyter() {
  say "Jupyter"
  if have_jupyter; then
    ok "jupyter $(command -v jupyter) with nbclient/nbconvert"
    return
  fi
  # JupyterLab is not packaged in Debian 12; the classic Notebook server is.
  if apt_install jupyter-notebook python3-nbconvert python3-nbclient python3-ipykernel jupyter-nbconvert jupyter-client; then
    if have_jupyter; then
      done_ "installed Jupyter (classic Notebook, nbconvert, nbclient) with apt"
      return
    fi
  fi
  miss "Jupyter: apt-get install jupyter-notebook jupyter-client jupyter-nbconvert python3-nbconvert python3-nbclient python3-ipykernel (as root), or pip install jupyterlab nbclient nbconvert"
}

step_kernel() {
  say "GoNB kernel (go run ./kernel install)"
  if ! command -v go >/dev/null 2>&1; then
    miss "the go command (Go 1.26+), needed for the kernel"
    return
  fi
  local out
  if out=$(go run ./kernel install 2>&1); then
    printf '%s\n' "$out" | sed 's/^/   /'
    if printf '%s\n' "$out" | grep -q '^installed\|^registered'; then
      done_ "GoNB kernel \"Go (neurocrypt)\" installed"
    else
      ok "GoNB kernel \"Go (neurocrypt)\" already installed"
    fi
  else
    printf '%s\n' "$out" | sed 's/^/   /'
    miss "GoNB kernel: go run ./kernel install failed (see above)"
  fi
}

have_onnx() { [ -s "$LIB_DIR/libonnxruntime.so.1" ]; }

step_onnx() {
  say "ONNX Runtime $ORT_VERSION shared library"
  if have_onnx; then
    ok "$LIB_DIR/libonnxruntime.so.1"
    return
  fi
  local arch tmp
  arch=$(arch_ort)
  if [ "$(uname -s)" != Linux ] || [ -z "$arch" ]; then
    miss "ONNX Runtime: this script handles Linux x64/arm64 only; set ONNXRUNTIME_SHARED_LIBRARY_PATH"
    return
  fi
  tmp=$(mktemp -d)
  mkdir -p "$LIB_DIR"
  local url="https://github.com/microsoft/onnxruntime/releases/download/v$ORT_VERSION/onnxruntime-linux-$arch-$ORT_VERSION.tgz"
  if reachable "$url" && fetch "$url" "$tmp/ort.tgz" &&
    tar -xzf "$tmp/ort.tgz" -C "$tmp" &&
    lib=$(find "$tmp" -name "libonnxruntime.so.$ORT_VERSION" -o -name 'libonnxruntime.so.1' | head -n 1) && [ -n "$lib" ]; then
    install -m 0644 "$lib" "$LIB_DIR/libonnxruntime.so.1.tmp" && mv "$LIB_DIR/libonnxruntime.so.1.tmp" "$LIB_DIR/libonnxruntime.so.1"
    done_ "ONNX Runtime $ORT_VERSION from the official release -> $LIB_DIR/libonnxruntime.so.1"
  elif command -v npm >/dev/null 2>&1 &&
    (cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null 2>&1) &&
    tar -xzf "$tmp"/onnxruntime-node-"$ORT_VERSION".tgz -C "$tmp" "package/bin/napi-v6/linux/$arch/libonnxruntime.so.1" 2>/dev/null; then
    install -m 0644 "$tmp/package/bin/napi-v6/linux/$arch/libonnxruntime.so.1" "$LIB_DIR/libonnxruntime.so.1.tmp" &&
      mv "$LIB_DIR/libonnxruntime.so.1.tmp" "$LIB_DIR/libonnxruntime.so.1"
    done_ "ONNX Runtime $ORT_VERSION from the npm package onnxruntime-node -> $LIB_DIR/libonnxruntime.so.1"
  else
    miss "ONNX Runtime: neither the official release nor npm's onnxruntime-node@$ORT_VERSION could be fetched"
  fi
  rm -rf "$tmp"
}

have_pjrt() { compgen -G "$PJRT_DIR/pjrt_c_api_cpu*_plugin.so" >/dev/null; }

step_pjrt() {
  say "PJRT CPU plugin"
  if have_pjrt; then
    ok "$(compgen -G "$PJRT_DIR/pjrt_c_api_cpu*_plugin.so" | head -n 1)"
    return
  fi
  # The CLI's explicit installer (go-xla's installer: it knows the release
  # asset layout and verifies what it downloads). It needs GitHub access.
  if command -v go >/dev/null 2>&1 && go run ./cmd/neurocrypt backends -install xla && have_pjrt; then
    done_ "PJRT plugins installed by neurocrypt backends -install xla -> $PJRT_DIR"
  else
    miss "PJRT CPU plugin: the download failed (offline?); the go and onnx backends still work"
  fi
}

have_torch() { "$PYTHON" -c 'import torch' 2>/dev/null || python3 -c 'import torch' 2>/dev/null; }

step_torch() {
  say "PyTorch (CPU)"
  if have_torch; then
    ok "PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__)' 2>/dev/null || python3 -c 'import torch; print(torch.__version__)')"
    return
  fi
  # PyPI is not reachable on our machines; Debian 12 packages PyTorch 1.13.
  if apt_install python3-torch && have_torch; then
    done_ "installed PyTorch (python3-torch) with apt"
  else
    miss "PyTorch: apt-get install python3-torch (as root), or pip install torch; the ANC report then says the speed goal is not measurable"
  fi
}

[ "$want_jupyter" = 1 ] && step_jupyter
[ "$want_kernel" = 1 ] && step_kernel
[ "$want_onnx" = 1 ] && step_onnx
[ "$want_pjrt" = 1 ] && step_pjrt
[ "$want_torch" = 1 ] && step_torch

echo
echo "== summary"
if [ "${#did[@]}" -gt 0 ]; then
  printf '   did:     %s\n' "${did[@]}"
else
  echo "   did:     nothing (all selected items were already there, or could not be installed)"
fi
if [ "${#missing[@]}" -gt 0 ]; then
  printf '   missing: %s\n' "${missing[@]}"
  [ "$strict" = 1 ] && exit 1
else
  echo "   missing: nothing"
fi
exit 0
