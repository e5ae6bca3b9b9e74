"""Swagger UI at /api/docs/, under the site's Content-Security-Policy.

The page drf-spectacular renders keeps its scripts in files (the sidecar's,
and its own ``?script=`` URL), but carries one small inline ``<style>``. Rather
than allow inline styles for the page, its policy allows exactly that block,
by hash (CSP level 2): markup injected into the page still gets no style.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from django.conf import settings
from drf_spectacular.views import SpectacularSwaggerSplitView

INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def with_style_hashes(policy: str, html: str) -> str:
    """``policy`` whose ``style-src`` also allows each inline ``<style>`` block of ``html``, and nothing else."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode("ascii") + "'"
        for block in INLINE_STYLE.findall(html)
    ]
    if not hashes:
        return policy
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    for index, directive in enumerate(directives):
        if directive.split()[0] == "style-src":
            directives[index] = " ".join([directive, *hashes])
            break
    else:
        directives.append(" ".join(["style-src 'self'", *hashes]))
    return "; ".join(directives)


class SwaggerView(SpectacularSwaggerSplitView):
    """``GET /api/docs/``: Swagger UI on the OpenAPI document, all of it served by this site."""

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if settings.POKERRT_CSP and "text/html" in response.get("Content-Type", "text/html"):
            response.render()
            response["Content-Security-Policy"] = with_style_hashes(settings.POKERRT_CSP,
                                                                    response.content.decode("utf-8"))
        return response
