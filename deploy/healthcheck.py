"""Container health check of a web node: GET a path on this node as nginx would send it.

    python deploy/healthcheck.py [http://127.0.0.1:8000/healthz/]

X-Forwarded-Proto: https stands for the TLS the proxy terminated (production redirects plain
HTTP), and the Host is one of ALLOWED_HOSTS. Exit status 0 when the answer is 200.
"""

import os
import sys
import urllib.request

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/healthz/"
host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip().lstrip(".") or "localhost"
request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", "Host": host})
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as error:  # any failure is "unhealthy"
    print(f"unhealthy: {error}", file=sys.stderr)
    sys.exit(1)
