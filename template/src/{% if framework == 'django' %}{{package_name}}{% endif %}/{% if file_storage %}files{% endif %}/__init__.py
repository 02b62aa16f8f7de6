"""Files: owned like any resource, their bytes in the service's file store (core/storage/)."""
