# nn-playground: the live training server, one worker per container (scale with replicas).
#   docker build -t nn-playground .
#   docker run --rm -p 8000:8000 nn-playground        # then open http://localhost:8000/
# Settings come from PLAYGROUND_* variables, e.g. -e PLAYGROUND_MAX_SESSIONS=100.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, at the tested versions (their own layer: rebuilt only when
# pyproject.toml or constraints.txt changes).
COPY pyproject.toml constraints.txt ./
RUN pip install -c constraints.txt $(python -c "import tomllib; print(' '.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))")

# The package, built into a wheel and installed non-editable (static/ and templates/ are
# package data inside playground/); the sources are removed again.
COPY README.md LICENSE MANIFEST.in CHANGELOG.md ./
COPY playground ./playground
RUN pip wheel --no-deps -w /tmp/wheels . \
    && pip install --no-deps /tmp/wheels/nn_playground-*.whl \
    && rm -rf /tmp/wheels playground build *.egg-info \
    && useradd --create-home --uid 10001 playground

USER playground
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4).status != 200)"]
CMD ["nn-playground", "serve", "--host", "0.0.0.0", "--port", "8000"]
