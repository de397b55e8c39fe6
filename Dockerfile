# Sanad: the Telegram bot with the bundled model, its ONNX exports and the seed library built into the
# image. Needs no network at start other than Telegram's (or TELEGRAM_API_BASE_URL). torch and the
# build extra are needed only by `sanad setup` (the export); the bot serves on onnxruntime (int8).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SANAD_HOME=/var/lib/sanad \
    HF_HUB_OFFLINE=1

WORKDIR /app

# Tesseract OCR (Arabic and English) and poppler's pdftoppm read photos and scanned PDFs. Debian's
# security updates replace these versions, so they are not pinned.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install --yes --no-install-recommends tesseract-ocr tesseract-ocr-ara poppler-utils \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, in their own layers, so a code change does not reinstall them.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
# The project itself is the requirement list: its pins live in pyproject.toml.
# hadolint ignore=DL3013
RUN mkdir index bot \
    && touch index/__init__.py bot/__init__.py \
    && pip install '.[build]' \
    && pip uninstall --yes sanad

COPY index ./index
COPY bot ./bot
# The lab's measurement commands (sanad eval, calibrate, bench) run on the deployment machine too.
COPY lab ./lab
COPY seeds ./seeds
# Editable, so the code finds seeds/ and its calibration beside itself in /app.
RUN pip install --no-deps -e . \
    && useradd --system --uid 10001 --create-home --home-dir /home/sanad sanad \
    && mkdir -p "$SANAD_HOME" \
    && sanad setup \
    && chown -R sanad:sanad "$SANAD_HOME"

USER 10001
HEALTHCHECK --interval=60s --timeout=10s --start-period=120s --retries=3 CMD ["sanad", "health"]
ENTRYPOINT ["sanad"]
CMD ["bot"]
