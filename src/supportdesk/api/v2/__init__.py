"""v2: `/api/v2/...`, bare camelCase resources, prefixed ids, RFC 9457 problem documents."""
