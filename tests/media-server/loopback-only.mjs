// ICE on loopback only, for werift in these tests (traffic here may only use loopback). werift
// gathers host candidates on every interface that is not marked internal, so loopback, which is,
// would never be used: it is presented as the one, non-internal interface. Imported before werift
// is used; syncBuiltinESMExports() makes werift's `import * as os` see the change.
import os from 'node:os';
import { syncBuiltinESMExports } from 'node:module';

const loopback = (os.networkInterfaces().lo ?? [])
  .filter((address) => address.family === 'IPv4' || address.family === 4)
  .map((address) => ({ ...address, internal: false }));
os.networkInterfaces = () => ({ lo: loopback });
syncBuiltinESMExports();
