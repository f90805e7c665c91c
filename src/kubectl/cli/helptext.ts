/** Help texts of K1's verbs, as kubectl 1.35 prints them (`kubectl <verb> --help`); generated from the real binary. */
import type { FlagSpec } from '../command.ts';

/** One verb's help: cobra's Use/Long/Example and its flags. */
export interface HelpText {
  readonly use: string;
  readonly long: string;
  readonly example: string;
  readonly flags: readonly FlagSpec[];
}

/** `kubectl get`: only the texts `--help` prints (the verb's use line and flags live in verbs/get.ts, loaded on every run). */
export const getLongHelp: Pick<HelpText, 'long' | 'example'> = {
  long: "Display one or many resources.\n\n Prints a table of the most important information about the specified resources. You can filter the list using a label selector and the --selector flag. If the desired resource type is namespaced you will only see results in the current namespace if you don't specify any namespace.\n\n By specifying the output as 'template' and providing a Go template as the value of the --template flag, you can filter the attributes of the fetched resources.\n\nUse \"kubectl api-resources\" for a complete list of supported resources.",
  example: "  # List all pods in ps output format\n  kubectl get pods\n  \n  # List all pods in ps output format with more information (such as node name)\n  kubectl get pods -o wide\n  \n  # List a single replication controller with specified NAME in ps output format\n  kubectl get replicationcontroller web\n  \n  # List deployments in JSON output format, in the \"v1\" version of the \"apps\" API group\n  kubectl get deployments.v1.apps -o json\n  \n  # List a single pod in JSON output format\n  kubectl get -o json pod web-pod-13je7\n  \n  # List a pod identified by type and name specified in \"pod.yaml\" in JSON output format\n  kubectl get -f pod.yaml -o json\n  \n  # List resources from a directory with kustomization.yaml - e.g. dir/kustomization.yaml\n  kubectl get -k dir/\n  \n  # Return only the phase value of the specified pod\n  kubectl get -o template pod/web-pod-13je7 --template={{.status.phase}}\n  \n  # List resource information in custom columns\n  kubectl get pod test-pod -o custom-columns=CONTAINER:.spec.containers[0].name,IMAGE:.spec.containers[0].image\n  \n  # List all replication controllers and services together in ps output format\n  kubectl get rc,services\n  \n  # List one or more resources by their type and names\n  kubectl get rc/web service/frontend pods/web-pod-13je7\n  \n  # List the 'status' subresource for a single pod\n  kubectl get pod web-pod-13je7 --subresource status\n  \n  # List all deployments in namespace 'backend'\n  kubectl get deployments.apps --namespace backend\n  \n  # List all pods existing in all namespaces\n  kubectl get pods --all-namespaces",
};

/** `kubectl api-resources` */
export const apiResourcesHelp: HelpText = {
  use: "api-resources",
  long: "Print the supported API resources on the server.",
  example: "  # Print the supported API resources\n  kubectl api-resources\n  \n  # Print the supported API resources with more information\n  kubectl api-resources -o wide\n  \n  # Print the supported API resources sorted by a column\n  kubectl api-resources --sort-by=name\n  \n  # Print the supported namespaced resources\n  kubectl api-resources --namespaced=true\n  \n  # Print the supported non-namespaced resources\n  kubectl api-resources --namespaced=false\n  \n  # Print the supported API resources with a specific APIGroup\n  kubectl api-resources --api-group=rbac.authorization.k8s.io",
  flags: [
    { name: 'api-group', type: 'string', default: "", usage: "Limit to resources in the specified API group." },
    { name: 'cached', type: 'bool', default: false, usage: "Use the cached list of resources if available." },
    { name: 'categories', type: 'stringArray', default: [], usage: "Limit to resources that belong to the specified categories." },
    { name: 'namespaced', type: 'bool', default: true, usage: "If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default." },
    { name: 'no-headers', type: 'bool', default: false, usage: "When using the default or custom-column output format, don't print headers (default print headers)." },
    { name: 'output', short: 'o', type: 'string', default: "", usage: "Output format. One of: (json, yaml, kyaml, name, wide)." },
    { name: 'show-managed-fields', type: 'bool', default: false, usage: "If true, keep the managedFields when printing objects in JSON or YAML format." },
    { name: 'sort-by', type: 'string', default: "", usage: "If non-empty, sort list of resources using specified field. The field can be either 'name' or 'kind'." },
    { name: 'verbs', type: 'stringArray', default: [], usage: "Limit to resources that support the specified verbs." },
  ],
};

/** `kubectl api-versions` */
export const apiVersionsHelp: HelpText = {
  use: "api-versions",
  long: "Print the supported API versions on the server, in the form of \"group/version\".",
  example: "  # Print the supported API versions\n  kubectl api-versions",
  flags: [
  ],
};

/** `kubectl cluster-info` */
export const clusterInfoHelp: HelpText = {
  use: "cluster-info",
  long: "Display addresses of the control plane and services with label kubernetes.io/cluster-service=true. To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.",
  example: "  # Print the address of the control plane and cluster services\n  kubectl cluster-info\n\nAvailable Commands:\n  dump          Dump relevant information for debugging and diagnosis",
  flags: [
  ],
};

/** `kubectl config` */
export const configHelp: HelpText = {
  use: "config SUBCOMMAND",
  long: "Modify kubeconfig files using subcommands like \"kubectl config set current-context my-context\".\n\n The loading order follows these rules:\n\n  1.  If the --kubeconfig flag is set, then only that file is loaded. The flag may only be set once and no merging takes place.\n  2.  If $KUBECONFIG environment variable is set, then it is used as a list of paths (normal path delimiting rules for your system). These paths are merged. When a value is modified, it is modified in the file that defines the stanza. When a value is created, it is created in the first file that exists. If no files in the chain exist, then it creates the last file in the list.\n  3.  Otherwise, ${HOME}/.kube/config is used and no merging takes place.",
  example: "",
  flags: [
  ],
};

/** `kubectl config view` */
export const configViewHelp: HelpText = {
  use: "view",
  long: "Display merged kubeconfig settings or a specified kubeconfig file.\n\n You can use --output jsonpath={...} to extract specific values using a jsonpath expression.",
  example: "  # Show merged kubeconfig settings\n  kubectl config view\n  \n  # Show merged kubeconfig settings, raw certificate data, and exposed secrets\n  kubectl config view --raw\n  \n  # Get the password for the e2e user\n  kubectl config view -o jsonpath='{.users[?(@.name == \"e2e\")].user.password}'",
  flags: [
    { name: 'allow-missing-template-keys', type: 'bool', default: true, usage: "If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats." },
    { name: 'flatten', type: 'bool', default: false, usage: "Flatten the resulting kubeconfig file into self-contained output (useful for creating portable kubeconfig files)" },
    { name: 'merge', type: 'bool', default: true, usage: "Merge the full hierarchy of kubeconfig files" },
    { name: 'minify', type: 'bool', default: false, usage: "Remove all information not used by current-context from the output" },
    { name: 'output', short: 'o', type: 'string', default: "yaml", usage: "Output format. One of: (json, yaml, kyaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)." },
    { name: 'raw', type: 'bool', default: false, usage: "Display raw byte data and sensitive data" },
    { name: 'show-managed-fields', type: 'bool', default: false, usage: "If true, keep the managedFields when printing objects in JSON or YAML format." },
    { name: 'template', type: 'string', default: "", usage: "Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]." },
  ],
};

/** `kubectl config get-contexts` */
export const configGetContextsHelp: HelpText = {
  use: "get-contexts [(-o|--output=)name)]",
  long: "Display one or many contexts from the kubeconfig file.",
  example: "  # List all the contexts in your kubeconfig file\n  kubectl config get-contexts\n  \n  # Describe one context in your kubeconfig file\n  kubectl config get-contexts my-context",
  flags: [
    { name: 'no-headers', type: 'bool', default: false, usage: "When using the default or custom-column output format, don't print headers (default print headers)." },
    { name: 'output', short: 'o', type: 'string', default: "", usage: "Output format. One of: (name)." },
  ],
};

/** `kubectl config current-context` */
export const configCurrentContextHelp: HelpText = {
  use: "current-context",
  long: "Display the current-context.",
  example: "  # Display the current-context\n  kubectl config current-context",
  flags: [
  ],
};

/** `kubectl config use-context` */
export const configUseContextHelp: HelpText = {
  use: "use-context CONTEXT_NAME",
  long: "Set the current-context in a kubeconfig file.\n\nAliases:\nuse-context, use",
  example: "  # Use the context for the minikube cluster\n  kubectl config use-context minikube",
  flags: [
  ],
};

/** `kubectl config set-context` */
export const configSetContextHelp: HelpText = {
  use: "set-context [NAME | --current] [--cluster=cluster_nickname] [--user=user_nickname] [--namespace=namespace]",
  long: "Set a context entry in kubeconfig.\n\n Specifying a name that already exists will merge new fields on top of existing values for those fields.",
  example: "  # Set the user field on the gce context entry without touching other values\n  kubectl config set-context gce --user=cluster-admin",
  flags: [
    { name: 'cluster', type: 'string', default: "", usage: "cluster for the context entry in kubeconfig" },
    { name: 'current', type: 'bool', default: false, usage: "Modify the current context" },
    { name: 'namespace', short: 'n', type: 'string', default: "", usage: "namespace for the context entry in kubeconfig" },
    { name: 'user', type: 'string', default: "", usage: "user for the context entry in kubeconfig" },
  ],
};

/** `kubectl config set-cluster` */
export const configSetClusterHelp: HelpText = {
  use: "set-cluster NAME [--server=server] [--certificate-authority=path/to/certificate/authority] [--insecure-skip-tls-verify=true] [--tls-server-name=example.com]",
  long: "Set a cluster entry in kubeconfig.\n\n Specifying a name that already exists will merge new fields on top of existing values for those fields.",
  example: "  # Set only the server field on the e2e cluster entry without touching other values\n  kubectl config set-cluster e2e --server=https://1.2.3.4\n  \n  # Embed certificate authority data for the e2e cluster entry\n  kubectl config set-cluster e2e --embed-certs --certificate-authority=~/.kube/e2e/kubernetes.ca.crt\n  \n  # Disable cert checking for the e2e cluster entry\n  kubectl config set-cluster e2e --insecure-skip-tls-verify=true\n  \n  # Set the custom TLS server name to use for validation for the e2e cluster entry\n  kubectl config set-cluster e2e --tls-server-name=my-cluster-name\n  \n  # Set the proxy URL for the e2e cluster entry\n  kubectl config set-cluster e2e --proxy-url=https://1.2.3.4",
  flags: [
    { name: 'certificate-authority', type: 'string', default: "", usage: "Path to certificate-authority file for the cluster entry in kubeconfig" },
    { name: 'embed-certs', type: 'bool', default: false, usage: "embed-certs for the cluster entry in kubeconfig" },
    { name: 'insecure-skip-tls-verify', type: 'bool', default: false, usage: "insecure-skip-tls-verify for the cluster entry in kubeconfig" },
    { name: 'proxy-url', type: 'string', default: "", usage: "proxy-url for the cluster entry in kubeconfig" },
    { name: 'server', type: 'string', default: "", usage: "server for the cluster entry in kubeconfig" },
    { name: 'tls-server-name', type: 'string', default: "", usage: "tls-server-name for the cluster entry in kubeconfig" },
  ],
};

/** `kubectl config set-credentials` */
export const configSetCredentialsHelp: HelpText = {
  use: "set-credentials NAME [--client-certificate=path/to/certfile] [--client-key=path/to/keyfile] [--token=bearer_token] [--username=basic_user] [--password=basic_password] [--auth-provider=provider_name] [--auth-provider-arg=key=value] [--exec-command=exec_command] [--exec-api-version=exec_api_version] [--exec-arg=arg] [--exec-env=key=value]",
  long: "Set a user entry in kubeconfig.\n\n Specifying a name that already exists will merge new fields on top of existing values.\n\n        Client-certificate flags:\n        --client-certificate=certfile --client-key=keyfile\n        \n        Bearer token flags:\n        --token=bearer_token\n        \n        Basic auth flags:\n        --username=basic_user --password=basic_password\n        \n Bearer token and basic auth are mutually exclusive.",
  example: "  # Set only the \"client-key\" field on the \"cluster-admin\"\n  # entry, without touching other values\n  kubectl config set-credentials cluster-admin --client-key=~/.kube/admin.key\n  \n  # Set basic auth for the \"cluster-admin\" entry\n  kubectl config set-credentials cluster-admin --username=admin --password=uXFGweU9l35qcif\n  \n  # Embed client certificate data in the \"cluster-admin\" entry\n  kubectl config set-credentials cluster-admin --client-certificate=~/.kube/admin.crt --embed-certs=true\n  \n  # Enable the Google Compute Platform auth provider for the \"cluster-admin\" entry\n  kubectl config set-credentials cluster-admin --auth-provider=gcp\n  \n  # Enable the OpenID Connect auth provider for the \"cluster-admin\" entry with additional arguments\n  kubectl config set-credentials cluster-admin --auth-provider=oidc --auth-provider-arg=client-id=foo --auth-provider-arg=client-secret=bar\n  \n  # Remove the \"client-secret\" config value for the OpenID Connect auth provider for the \"cluster-admin\" entry\n  kubectl config set-credentials cluster-admin --auth-provider=oidc --auth-provider-arg=client-secret-\n  \n  # Enable new exec auth plugin for the \"cluster-admin\" entry\n  kubectl config set-credentials cluster-admin --exec-command=/path/to/the/executable --exec-api-version=client.authentication.k8s.io/v1beta1\n  \n  # Enable new exec auth plugin for the \"cluster-admin\" entry with interactive mode\n  kubectl config set-credentials cluster-admin --exec-command=/path/to/the/executable --exec-api-version=client.authentication.k8s.io/v1beta1 --exec-interactive-mode=Never\n  \n  # Define new exec auth plugin arguments for the \"cluster-admin\" entry\n  kubectl config set-credentials cluster-admin --exec-arg=arg1 --exec-arg=arg2\n  \n  # Create or update exec auth plugin environment variables for the \"cluster-admin\" entry\n  kubectl config set-credentials cluster-admin --exec-env=key1=val1 --exec-env=key2=val2\n  \n  # Remove exec auth plugin environment variables for the \"cluster-admin\" entry\n  kubectl config set-credentials cluster-admin --exec-env=var-to-remove-",
  flags: [
    { name: 'auth-provider', type: 'string', default: "", usage: "Auth provider for the user entry in kubeconfig" },
    { name: 'auth-provider-arg', type: 'stringArray', default: [], usage: "'key=value' arguments for the auth provider" },
    { name: 'client-certificate', type: 'string', default: "", usage: "Path to client-certificate file for the user entry in kubeconfig" },
    { name: 'client-key', type: 'string', default: "", usage: "Path to client-key file for the user entry in kubeconfig" },
    { name: 'embed-certs', type: 'bool', default: false, usage: "Embed client cert/key for the user entry in kubeconfig" },
    { name: 'exec-api-version', type: 'string', default: "", usage: "API version of the exec credential plugin for the user entry in kubeconfig" },
    { name: 'exec-arg', type: 'stringArray', default: [], usage: "New arguments for the exec credential plugin command for the user entry in kubeconfig" },
    { name: 'exec-command', type: 'string', default: "", usage: "Command for the exec credential plugin for the user entry in kubeconfig" },
    { name: 'exec-env', type: 'stringArray', default: [], usage: "'key=value' environment values for the exec credential plugin" },
    { name: 'exec-interactive-mode', type: 'string', default: "", usage: "InteractiveMode of the exec credentials plugin for the user entry in kubeconfig" },
    { name: 'exec-provide-cluster-info', type: 'bool', default: false, usage: "ProvideClusterInfo of the exec credentials plugin for the user entry in kubeconfig" },
    { name: 'password', type: 'string', default: "", usage: "password for the user entry in kubeconfig" },
    { name: 'token', type: 'string', default: "", usage: "token for the user entry in kubeconfig" },
    { name: 'username', type: 'string', default: "", usage: "username for the user entry in kubeconfig" },
  ],
};

/** `kubectl config delete-context` */
export const configDeleteContextHelp: HelpText = {
  use: "delete-context NAME",
  long: "Delete the specified context from the kubeconfig.",
  example: "  # Delete the context for the minikube cluster\n  kubectl config delete-context minikube",
  flags: [
  ],
};

/** `kubectl config get-clusters` */
export const configGetClustersHelp: HelpText = {
  use: "get-clusters",
  long: "Display clusters defined in the kubeconfig.",
  example: "  # List the clusters that kubectl knows about\n  kubectl config get-clusters",
  flags: [
  ],
};

/** `kubectl config get-users` */
export const configGetUsersHelp: HelpText = {
  use: "get-users",
  long: "Display users defined in the kubeconfig.",
  example: "  # List the users that kubectl knows about\n  kubectl config get-users",
  flags: [
  ],
};

/** `kubectl config delete-cluster` */
export const configDeleteClusterHelp: HelpText = {
  use: "delete-cluster NAME",
  long: "Delete the specified cluster from the kubeconfig.",
  example: "  # Delete the minikube cluster\n  kubectl config delete-cluster minikube",
  flags: [
  ],
};

/** `kubectl config delete-user` */
export const configDeleteUserHelp: HelpText = {
  use: "delete-user NAME",
  long: "Delete the specified user from the kubeconfig.",
  example: "  # Delete the minikube user\n  kubectl config delete-user minikube",
  flags: [
  ],
};

/** `kubectl config rename-context` */
export const configRenameContextHelp: HelpText = {
  use: "rename-context CONTEXT_NAME NEW_NAME",
  long: "Renames a context from the kubeconfig file.\n\n CONTEXT_NAME is the context name that you want to change.\n\n NEW_NAME is the new name you want to set.\n\n Note: If the context being renamed is the 'current-context', this field will also be updated.",
  example: "  # Rename the context 'old-name' to 'new-name' in your kubeconfig file\n  kubectl config rename-context old-name new-name",
  flags: [
  ],
};

/** `kubectl config set` */
export const configSetHelp: HelpText = {
  use: "set PROPERTY_NAME PROPERTY_VALUE",
  long: "Set an individual value in a kubeconfig file.\n\n PROPERTY_NAME is a dot delimited name where each token represents either an attribute name or a map key.  Map keys may not contain dots.\n\n PROPERTY_VALUE is the new value you want to set. Binary fields such as 'certificate-authority-data' expect a base64 encoded string unless the --set-raw-bytes flag is used.\n\n Specifying an attribute name that already exists will merge new fields on top of existing values.",
  example: "  # Set the server field on the my-cluster cluster to https://1.2.3.4\n  kubectl config set clusters.my-cluster.server https://1.2.3.4\n  \n  # Set the certificate-authority-data field on the my-cluster cluster\n  kubectl config set clusters.my-cluster.certificate-authority-data $(echo \"cert_data_here\" | base64 -i -)\n  \n  # Set the cluster field in the my-context context to my-cluster\n  kubectl config set contexts.my-context.cluster my-cluster\n  \n  # Set the client-key-data field in the cluster-admin user using --set-raw-bytes option\n  kubectl config set users.cluster-admin.client-key-data cert_data_here --set-raw-bytes=true",
  flags: [
    { name: 'set-raw-bytes', type: 'bool', default: false, usage: "When writing a []byte PROPERTY_VALUE, write the given string directly without base64 decoding." },
  ],
};

/** `kubectl config unset` */
export const configUnsetHelp: HelpText = {
  use: "unset PROPERTY_NAME",
  long: "Unset an individual value in a kubeconfig file.\n\n PROPERTY_NAME is a dot delimited name where each token represents either an attribute name or a map key.  Map keys may not contain dots.",
  example: "  # Unset the current-context\n  kubectl config unset current-context\n  \n  # Unset namespace in foo context\n  kubectl config unset contexts.foo.namespace",
  flags: [
  ],
};

