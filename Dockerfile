# neurocrypt in JupyterLab: Go, the "Go (neurocrypt)" GoNB kernel wired to
# this checkout, and GoMLX's PJRT CPU plugin.
#
#   docker build -t neurocrypt .
#   docker run --rm -p 8888:8888 neurocrypt        # open the printed URL: JupyterLab on notebooks/
#
# CUDA variant (GoMLX's XLA backend on an NVIDIA GPU through JAX's CUDA PJRT
# plugin; run with --gpus all):
#
#   docker build --build-arg VARIANT=cuda -t neurocrypt:cuda .
#
# The install steps are scripts/setup.sh's, the same ones CI runs.

ARG GO_IMAGE=golang:1.26.8-bookworm
ARG BASE_IMAGE=quay.io/jupyter/base-notebook:2025-10-20

FROM ${GO_IMAGE} AS go

FROM ${BASE_IMAGE}

# cpu or cuda.
ARG VARIANT=cpu
# JAX release whose CUDA 13 PJRT plugin the cuda variant uses.
ARG JAX_VERSION=0.8.1

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

COPY --from=go /usr/local/go /usr/local/go
ENV PATH=/usr/local/go/bin:/home/${NB_USER}/go/bin:${PATH} \
    GOTOOLCHAIN=local \
    GOFLAGS=-buildvcs=false \
    GOMLX_NO_AUTO_INSTALL=1

WORKDIR /home/${NB_USER}/neurocrypt

# Module downloads first, so a source change does not re-download them.
COPY --chown=${NB_UID}:${NB_GID} go.mod go.sum ./
RUN go mod download

COPY --chown=${NB_UID}:${NB_GID} . .

# Build everything once (warms the build cache the kernel compiles against),
# install GoNB + goimports + gopls and register the kernel for this checkout,
# and install the PJRT CPU plugin into ~/.local/lib/go-xla. --strict: a
# missing item fails the build.
RUN go build ./... \
    && scripts/setup.sh --kernel --pjrt --strict \
    && go run ./kernel install -gopls \
    && jupyter kernelspec list | grep -q neurocrypt

# CUDA variant: JAX's CUDA PJRT plugin (with the NVIDIA libraries as wheels),
# linked where GoMLX looks for PJRT plugins.
RUN if [ "${VARIANT}" = cuda ]; then \
      pip install --no-cache-dir "jax[cuda13]==${JAX_VERSION}" \
      && plugin_dir=$(python -c 'import os, jax_plugins.xla_cuda13 as m; print(os.path.dirname(m.__file__))') \
      && mkdir -p "${HOME}/.local/lib/go-xla" \
      && ln -sf "${plugin_dir}/xla_cuda_plugin.so" "${HOME}/.local/lib/go-xla/pjrt_c_api_cuda_plugin.so"; \
    elif [ "${VARIANT}" != cpu ]; then \
      echo "VARIANT must be cpu or cuda, not ${VARIANT}" >&2; exit 1; \
    fi

EXPOSE 8888
CMD ["start-notebook.py", "--ServerApp.root_dir=/home/jovyan/neurocrypt", "--ServerApp.default_url=/lab/tree/notebooks"]
