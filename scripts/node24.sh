# Source this file (`. scripts/node24.sh`) to put Node 24 first on PATH when the system Node is older
# than 22. It installs the `node@24` package from the npm registry into a cache folder outside the repo.
lode_node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$lode_node_major" -lt 22 ]; then
  lode_node_dir="${LODE_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lode-node24}"
  if [ ! -x "$lode_node_dir/node_modules/.bin/node" ]; then
    mkdir -p "$lode_node_dir"
    (cd "$lode_node_dir" && npm install --no-save --no-audit --no-fund --silent node@24 >/dev/null) || {
      echo "node24.sh: could not install node@24 from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  fi
  PATH="$lode_node_dir/node_modules/.bin:$PATH"
  export PATH
fi
unset lode_node_major lode_node_dir
