/**
 * Class labels of the face-api models, as face-api names its outputs.
 */

/** Labels by architecture name; models without classes are absent. */
const LABELS: Readonly<Record<string, readonly string[]>> = {
  tiny_face_detector_model: ['face'],
  ssd_mobilenetv1_model: ['face'],
  face_expression_model: [
    'neutral',
    'happy',
    'sad',
    'angry',
    'fearful',
    'disgusted',
    'surprised',
  ],
};

/**
 * The class labels of a face-api model, or undefined when it has none
 * (landmarks, descriptors) or is not known here.
 */
export function labelsFor(architecture: string): string[] | undefined {
  const labels = Object.hasOwn(LABELS, architecture)
    ? LABELS[architecture]
    : undefined;
  return labels ? [...labels] : undefined;
}
