#!/usr/bin/env bash
# Builds the Eureka server's jar (target/eureka-server.jar) when it is missing or older than its
# sources; prints the jar's path. Needs Java 17 and Maven 3.8+ (Debian: openjdk-17-jdk-headless,
# maven). The first build downloads the dependencies from Maven Central into ~/.m2 (about 95 MB).
set -euo pipefail
cd "$(dirname "$0")"
jar=target/eureka-server.jar
if [ -f "$jar" ] && [ -z "$(find pom.xml src -newer "$jar" -print -quit)" ]; then
  echo "$PWD/$jar"
  exit 0
fi
echo "building the Eureka server…" >&2
mvn -q -B -Dstyle.color=never package -DskipTests >&2
echo "$PWD/$jar"
