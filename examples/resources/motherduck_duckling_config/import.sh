# Import the Duckling configuration of a user by its username. The
# configuration found now is what destroy puts back.
terraform import motherduck_duckling_config.pipeline svc_pipeline
