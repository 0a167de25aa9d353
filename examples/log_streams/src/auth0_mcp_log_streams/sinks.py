"""What each log-stream type's ``sink`` holds, shared by the tools and the sandbox emulator.

From the Management API's OpenAPI document (``LogStream*Sink``). Auth0 echoes most sink
credentials back in clear on every read (only the Mixpanel password comes back as
``********``), so the tools mask ``CREDENTIALS`` themselves before anything reaches the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# type -> (every sink key, in the order Auth0 answers them; the keys a create needs)
SINKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "http": (("httpAuthorization", "httpContentFormat", "httpContentType", "httpEndpoint",
              "httpCustomHeaders"), ("httpEndpoint",)),
    "eventbridge": (("awsAccountId", "awsRegion", "awsPartnerEventSource"),
                    ("awsAccountId", "awsRegion")),
    "eventgrid": (("azureSubscriptionId", "azureRegion", "azureResourceGroup",
                   "azurePartnerTopic"),
                  ("azureSubscriptionId", "azureRegion", "azureResourceGroup")),
    "datadog": (("datadogApiKey", "datadogRegion"), ("datadogApiKey", "datadogRegion")),
    "splunk": (("splunkDomain", "splunkPort", "splunkToken", "splunkSecure"),
               ("splunkDomain", "splunkToken", "splunkPort", "splunkSecure")),
    "sumo": (("sumoSourceAddress",), ("sumoSourceAddress",)),
    "segment": (("segmentWriteKey",), ("segmentWriteKey",)),
    "mixpanel": (("mixpanelRegion", "mixpanelProjectId", "mixpanelServiceAccountUsername",
                  "mixpanelServiceAccountPassword"),
                 ("mixpanelRegion", "mixpanelProjectId", "mixpanelServiceAccountUsername",
                  "mixpanelServiceAccountPassword")),
}
TYPES = tuple(SINKS)
# Sink values that authenticate to the destination (a Sumo source address embeds its token).
CREDENTIALS = frozenset({"httpAuthorization", "splunkToken", "datadogApiKey", "segmentWriteKey",
                         "mixpanelServiceAccountPassword", "sumoSourceAddress"})
FILTER_CATEGORIES = (
    "auth.login.fail", "auth.login.notification", "auth.login.success", "auth.logout.fail",
    "auth.logout.success", "auth.signup.fail", "auth.signup.success", "auth.silent_auth.fail",
    "auth.silent_auth.success", "auth.token_exchange.fail", "auth.token_exchange.success",
    "management.fail", "management.success", "scim.event", "system.notification", "user.fail",
    "user.notification", "user.success", "actions", "other")
STATUSES = ("active", "paused", "suspended")
MASK = "[REDACTED]"


def masked_sink(sink: Mapping[str, Any] | None) -> dict[str, Any]:
    """The sink with every credential replaced: destination settings stay readable."""
    return {k: MASK if k in CREDENTIALS and v else v for k, v in (sink or {}).items()}


def in_order(kind: str, sink: Mapping[str, Any]) -> dict[str, Any]:
    """The sink's keys in the order Auth0 answers them (its schema's, not the request's)."""
    keys = SINKS[kind][0]
    return {k: sink[k] for k in sorted(sink, key=lambda k: keys.index(k) if k in keys else 99)}


def sink_problem(kind: str, sink: Mapping[str, Any], *, partial: bool) -> str | None:
    """Why ``sink`` does not fit a ``kind`` stream (unknown or, unless partial, missing keys)."""
    keys, required = SINKS[kind]
    unknown = sorted(set(sink) - set(keys))
    if unknown:
        return f"{kind} sinks take {', '.join(keys)}; not {', '.join(unknown)}"
    missing = [] if partial else [k for k in required if sink.get(k) in (None, "")]
    if missing:
        return f"a {kind} sink needs {', '.join(missing)}"
    return None
