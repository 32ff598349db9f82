// A host's id: the name of its task queue (berth.host.<id>) and of its row, as BERTH_HOST_ID says it.
export const HOST_ID = /^[a-z0-9][a-z0-9-]{0,30}$/;
