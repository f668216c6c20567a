"""The API page names every action the server registers: a client author finds each there."""

from tests.live import Live

PROTOCOL_EVENTS_DOCUMENTED_ELSEWHERE = {
    # In PROTOCOL.md's table itself; the page lists only what goes beyond it.
    "user:me",
    "unit:create",
    "unit:list",
    "user:create",
    "user:list",
    "meeting:create",
    "meeting:update",
    "meeting:publish",
    "meeting:cancel",
    "meeting:start",
    "meeting:end",
    "meeting:list",
    "meeting:get",
    "meeting:join",
    "meeting:leave",
    "agenda:add",
    "agenda:update",
    "agenda:remove",
    "agenda:reorder",
    "agenda:activate",
    "participant:add",
    "participant:remove",
    "invitation:respond",
    "attendance:mark",
    "document:list",
    "document:remove",
    "document:present",
    "note:save",
    "note:list",
    "floor:request",
    "floor:withdraw",
    "floor:grant",
    "floor:reject",
    "floor:end",
    "opinion:submit",
    "opinion:list",
    "poll:create",
    "poll:open",
    "poll:close",
    "poll:vote",
    "conclusion:save",
    "conclusion:publish",
    "notification:list",
    "notification:read",
    "rtc:join",
    "rtc:leave",
    "rtc:mute",
}


async def test_every_action_beyond_the_protocol_is_on_the_api_page(clients: Live) -> None:
    async with clients.http() as http:
        r = await http.get("/api")
    assert r.status_code == 200
    missing = sorted(
        name
        for name in clients.server.composition.actions
        if name not in PROTOCOL_EVENTS_DOCUMENTED_ELSEWHERE and name not in r.text
    )
    assert missing == [], f"document these on meeting/templates/api.html: {missing}"
