# Sourced by ./tessera and .ci/run: sets JAVA_HOME to a JDK 25, or prints one clear line and fails.
# The JDK's feature version: from its `release` file (JAVA_VERSION="25.0.1"), else from the JVM itself (150 ms a start).
tessera_java_major() {
  local v=""
  [[ -f "$1/release" ]] && v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")"
  if [[ -z "$v" ]]; then
    v="$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  fi
  echo "$v"
}
tessera_find_jdk25() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk /usr/lib/jvm/java-25-openjdk-amd64; do
    if [[ -n "$candidate" && -x "$candidate/bin/java" && "$(tessera_java_major "$candidate")" == "25" ]]; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "tessera: no JDK 25 found (JAVA_HOME=${JAVA_HOME:-unset}, not at /usr/lib/jvm/temurin-25-jdk-amd64): install JDK 25 and set JAVA_HOME to it" >&2
  return 1
}
