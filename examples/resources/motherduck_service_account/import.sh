# Import a service account by its username.
terraform import motherduck_service_account.ci svc_pipeline
