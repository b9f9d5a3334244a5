export {
  ServiceRequiredError,
  checkService,
  probeSharedFile,
  requiredServices,
  sharedDir,
  type Availability,
  type ServiceName,
} from "./service-gate.ts";
export { rejection } from "./rejection.ts";
