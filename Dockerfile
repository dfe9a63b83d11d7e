# Build the wheel in one stage, install it into a slim runtime that runs as a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY faq ./faq
COPY handlers ./handlers
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 faqbot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER faqbot
WORKDIR /home/faqbot
ENV HTTP_HOST=0.0.0.0 HTTP_PORT=8080 PYTHONUNBUFFERED=1
EXPOSE 8080
# The image has Python, not curl: probe /healthz with the standard library.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('HTTP_PORT', '8080')}/healthz\", timeout=4)"]
CMD ["faqbot", "serve"]
