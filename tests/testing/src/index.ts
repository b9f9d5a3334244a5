export {
  ServiceRequiredError,
  checkService,
  probeSharedFile,
  requiredServices,
  sharedDir,
  type Availability,
  type ServiceName,
} from "./service-gate.ts";
