export { BreakingChange, backwardIncompatibilities, type Incompatibility } from './schema-compatibility.js';
export { ContractKind, contractKey, contracts, sealedActuationRequestV1Schema, type Contract } from './contract-catalogue.js';
export { asyncApiDocument, CONTRACTS_DOCUMENT_VERSION } from './asyncapi.document.js';
export {
  ASYNCAPI_FILE,
  compatibilityReport,
  describeBreak,
  GENERATED_DIRECTORY,
  generatedDocuments,
  SNAPSHOT_DIRECTORY,
  type Break,
  type CompatibilityReport,
} from './contract-documents.js';
export { documentDrift, DriftProblem, snapshotCompatibility, writeDocuments, type Drift, type WriteResult } from './contract-files.js';
