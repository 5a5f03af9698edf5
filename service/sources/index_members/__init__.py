"""Index membership lists."""

from __future__ import annotations

from service.ingest.base import Source
from service.sources.index_members.format import IndexMembers

SOURCE = Source(
    name="index-members",
    kind="index-members",
    formats=(IndexMembers,),
    help="Index members: index,symbol,start_date[,end_date][,weight].",
)
