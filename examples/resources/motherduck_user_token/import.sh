# Import a token by "<username>/<token_id>". MotherDuck never returns a secret
# again after minting, so the imported token's `token` attribute is null.
terraform import motherduck_user_token.ci svc_ci/3f0c9a4e-8a35-4f5e-9d49-0c2f3a7b1e6d
