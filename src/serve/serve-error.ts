/**
 * An answer other than 200, shaped as MLflow's scoring server answers: a JSON body
 * `{"error_code": …, "message": …}` (MlflowException.serialize_as_json) with its HTTP status, or
 * plain text where MLflow answers plain text (415 for a content type it does not take).
 */
export class ServeError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly plainText = false,
  ) {
    super(message);
    this.name = 'ServeError';
  }
}

/** MLflow's scoring-protocol hint, appended to format errors as MLflow 2.x does. */
export const SCORING_PROTOCOL_CHANGE_INFO =
  "IMPORTANT: The MLflow Model scoring protocol has changed in MLflow version 2.0. If you are seeing this error, you are likely using an outdated scoring request format. To resolve the error, either update your request format or adjust your MLflow Model's requirements file to specify an older version of MLflow (for example, change the 'mlflow' requirement specifier to 'mlflow==1.30.0'). If you are making a request using the MLflow client (e.g. via `mlflow.pyfunc.spark_udf()`), upgrade your MLflow client to a version >= 2.0 in order to use the new request format. For more information about the updated MLflow Model scoring protocol in MLflow 2.0, see https://mlflow.org/docs/latest/models.html#deploy-mlflow-models.";

export const SUPPORTED_FORMATS = ['dataframe_records', 'dataframe_split', 'instances', 'inputs'] as const;

export const REQUIRED_INPUT_FORMAT = `The input must be a JSON dictionary with exactly one of the input fields {${SUPPORTED_FORMATS.map((f) => `'${f}'`).join(', ')}}`;

export function badRequest(message: string): ServeError {
  return new ServeError(400, 'BAD_REQUEST', message);
}

/** MLflow's MlflowInvalidInputException: "Invalid input. …", INVALID_PARAMETER_VALUE. */
export function invalidInput(message: string): ServeError {
  return new ServeError(400, 'INVALID_PARAMETER_VALUE', `Invalid input. ${message}`);
}
