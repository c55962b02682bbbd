#!/usr/bin/env bash
# Installs the Debian packages caremarket needs, and only those that are missing.
# Idempotent: when everything is present it changes nothing and touches no network.
set -euo pipefail

PACKAGES=(
  build-essential cmake g++ make pkg-config
  libboost-graph-dev libboost-random-dev
  libtbb-dev
  libhdf5-dev hdf5-tools zlib1g-dev
  libtomlplusplus-dev
  libcli11-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
  pybind11-dev python3-dev
  python3-numpy python3-h5py python3-pandas python3-xarray python3-h5netcdf python3
  python3-pytest python3-matplotlib python3-tqdm python3-yaml
  python3-nbclient python3-nbformat python3-ipykernel jupyter-notebook
  python3-distributed python3-scipy python3-sklearn
  chromium chromium-driver python3-selenium
  python3-flask libjs-chart.js
  python3-pytest-xdist
  libopenmpi-dev openmpi-bin
  clang-format clang-tidy flake8
)
# Extra packages can be named by callers (e.g. the notebook or report suites).
PACKAGES+=("$@")

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages are present."
  exit 0
fi

echo "install-deps: missing Debian packages: ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "install-deps: not root and no password-less sudo. Run this yourself, then retry:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${#missing[@]} package(s)."
