// The Azure Functions entry (package.json "main" of the function app that `npm run build:hosting`
// writes to dist/azure-functions/): registers the endpoint's routes and the worker timer on the
// runtime's `app`, and closes the store when the host stops the worker process.

import { app } from "@azure/functions";
import {
  registerEndpointFunctions,
  startFunctionsEndpoint,
} from "../../confirmation-endpoint/hosting/azure-functions";

const ready = startFunctionsEndpoint(process.env);
registerEndpointFunctions(app, ready);
app.hook.appTerminate(async () => {
  const endpoint = await ready.catch(() => null);
  await endpoint?.close();
});
