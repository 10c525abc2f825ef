# Every valid token of a user, without secrets.
data "motherduck_user_tokens" "ci" {
  username = "svc_ci"
}

output "ci_token_names" {
  value = [for t in data.motherduck_user_tokens.ci.tokens : t.name]
}
