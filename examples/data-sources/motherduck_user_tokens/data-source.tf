# Every valid token of a user, without secrets. Terraform reads a data source
# while planning, so tokens created by the same apply show up from the next
# plan or refresh on.
data "motherduck_user_tokens" "ci" {
  username = "svc_ci"
}

output "ci_token_names" {
  value = [for t in data.motherduck_user_tokens.ci.tokens : t.name]
}
