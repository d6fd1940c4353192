"""Search attributes (CONTRACT.md): what approvers filter on in the Temporal UI."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

ISP_STATE = SearchAttributeKey.for_keyword("IspState")
ISP_AWAITING = SearchAttributeKey.for_keyword_list("IspAwaiting")
ISP_PARTNERS = SearchAttributeKey.for_keyword_list("IspPartners")
ISP_CASEWORKER = SearchAttributeKey.for_keyword("IspCaseworker")
ISP_NEXT_REVIEW = SearchAttributeKey.for_datetime("IspNextReview")
# Set when an approval or review is overdue and has been escalated; unset once it moves on.
ISP_OVERDUE_SINCE = SearchAttributeKey.for_datetime("IspOverdueSince")

ALL_KEYS = (
    ISP_STATE,
    ISP_AWAITING,
    ISP_PARTNERS,
    ISP_CASEWORKER,
    ISP_NEXT_REVIEW,
    ISP_OVERDUE_SINCE,
)

# name -> the dev server's `--search-attribute NAME=TYPE` type
SEARCH_ATTRIBUTES: dict[str, str] = {
    "IspState": "Keyword",
    "IspAwaiting": "KeywordList",
    "IspPartners": "KeywordList",
    "IspCaseworker": "Keyword",
    "IspNextReview": "Datetime",
    "IspOverdueSince": "Datetime",
}
